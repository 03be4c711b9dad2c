// Long scripts side by side with redis-server (issue 15, item 5): a script running
// past busy-reply-threshold makes the server answer other clients -BUSY while it
// still serves SCRIPT KILL and SHUTDOWN NOSAVE; a script that has written is
// -UNKILLABLE; an infinite loop never stops the server answering those.
//
// The clients here are connected before the script starts. A connection opened
// while a script is busy waits in the listen backlog until the script ends or is
// killed (Redis accepts it and answers -BUSY): Cinnabar serves the busy period from
// Lua's count hook, where Node cannot accept a connection (see
// src/scripting/scripting.ts serveWhileBusy; named in README's compatibility row).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { formatReply, type RespClient, type Reply } from '../../src/protocol/resp-client.js';
import { waitFor } from '../helpers/wait.js';

const ARGS = ['--busy-reply-threshold', '100', '--save', ''];

/** Runs the busy scenario on one server; returns what each step answered. */
async function scenario(h: ServerHandle): Promise<string[]> {
  const out: string[] = [];
  const a = await h.client({ timeoutMs: 20000 });
  const b = await h.client({ timeoutMs: 20000 });
  const show = (r: Reply): string => formatReply(r);
  // 1. An infinite loop that wrote nothing: BUSY for others, SCRIPT KILL ends it.
  const loop = a.call('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
  out.push(await waitFor('BUSY from the server', async () => {
    const r = show(await b.call('PING'));
    return r.includes('BUSY') ? r : undefined;
  }, 10000, 20));
  out.push(show(await b.call('GET', 'x')));
  out.push(show(await b.call('EVAL', 'return 1', '0')));
  out.push(show(await b.call('SHUTDOWN')));
  out.push(show(await b.call('SCRIPT', 'KILL')));
  out.push(show(await loop));
  out.push(show(await b.call('PING')));
  out.push(show(await a.call('PING')));
  // 2. A loop that wrote first: UNKILLABLE, and SHUTDOWN NOSAVE stops the server.
  const writer = a.call('EVAL', 'redis.call("set", "w", "1") while true do end', '0');
  writer.catch(() => undefined);
  await waitFor('BUSY from the server', async () => show(await b.call('PING')).includes('BUSY') || undefined, 10000, 20);
  out.push(show(await b.call('SCRIPT', 'KILL')));
  b.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  await waitFor('the server to exit', () => h.exited || undefined, 10000, 20);
  out.push(h.exitDescription.startsWith('exited') ? 'exited' : h.exitDescription);
  return out;
}

describe('long scripts: BUSY, SCRIPT KILL, UNKILLABLE, SHUTDOWN NOSAVE (differential)', { skip: skipIfNoRedis() }, () => {
  const started: ServerHandle[] = [];
  after(async () => {
    await Promise.all(started.map((h) => h.stop()));
  });

  test('the same answers from both servers', async () => {
    const [ours, theirs] = await Promise.all([startCinnabar({ args: ARGS }), startRedis({ args: ARGS })]);
    started.push(ours, theirs);
    const [o, t] = await Promise.all([scenario(ours), scenario(theirs)]);
    assert.deepEqual(o, t);
    assert.match(o[0], /BUSY Redis is busy running a script/);
    assert.match(o[5], /Script killed by user with SCRIPT KILL/);
  });
});
