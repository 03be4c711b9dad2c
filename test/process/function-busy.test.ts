// Long functions side by side with redis-server (issue 15, item 2): FCALL of a
// function running past busy-reply-threshold makes the server answer -BUSY naming
// FUNCTION KILL; SCRIPT KILL does not stop a function (NOTBUSY) and FUNCTION KILL
// does not stop a script; FUNCTION STATS names the running function and its
// command; a function that has written is -UNKILLABLE; SHUTDOWN NOSAVE still works.
// The clients are connected before the function starts (see script-busy.test.ts).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { waitFor } from '../helpers/wait.js';

const ARGS = ['--busy-reply-threshold', '100', '--save', ''];
const LIB = [
  '#!lua name=busy',
  "redis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)",
  "redis.register_function('wspin', function(keys) redis.call('set', keys[1], '1') while true do end end)",
].join('\n');

/** FUNCTION STATS's running_script without its duration (each server's own clock). */
function running(r: Reply): string {
  const s = formatReply(r);
  return s.replace(/"duration_ms"\s*,?\s*\(integer\) \d+|duration_ms.*?\d+/g, 'duration_ms <n>');
}

async function scenario(h: ServerHandle): Promise<string[]> {
  const out: string[] = [];
  const a = await h.client({ timeoutMs: 20000 });
  const b = await h.client({ timeoutMs: 20000 });
  const show = (r: Reply): string => formatReply(r);
  out.push(show(await b.call('FUNCTION', 'LOAD', LIB)));
  // 1. A loop that wrote nothing: BUSY naming FUNCTION KILL, which ends it.
  const loop = a.call('FCALL', 'spin', '0', 'arg');
  out.push(await waitFor('BUSY from the server', async () => {
    const r = show(await b.call('PING'));
    return r.includes('BUSY') ? r : undefined;
  }, 10000, 20));
  out.push(show(await b.call('FCALL', 'spin', '0')));
  out.push(show(await b.call('SCRIPT', 'KILL')));
  out.push(running(await b.call('FUNCTION', 'STATS')));
  out.push(show(await b.call('FUNCTION', 'KILL')));
  out.push(show(await loop));
  out.push(show(await b.call('PING')));
  out.push(show(await b.call('FUNCTION', 'STATS')));
  // 2. A script is not a function: FUNCTION KILL answers NOTBUSY, SCRIPT KILL ends it.
  const script = a.call('EVAL', 'while true do end', '0');
  await waitFor('BUSY from the server', async () => show(await b.call('PING')).includes('BUSY') || undefined, 10000, 20);
  out.push(show(await b.call('FUNCTION', 'KILL')));
  out.push(show(await b.call('SCRIPT', 'KILL')));
  out.push(show(await script));
  // 3. A function that wrote first: UNKILLABLE, and SHUTDOWN NOSAVE stops the server.
  const writer = a.call('FCALL', 'wspin', '1', 'w');
  writer.catch(() => undefined);
  await waitFor('BUSY from the server', async () => show(await b.call('PING')).includes('BUSY') || undefined, 10000, 20);
  out.push(show(await b.call('FUNCTION', 'KILL')));
  b.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  await waitFor('the server to exit', () => h.exited || undefined, 10000, 20);
  out.push(h.exitDescription.startsWith('exited') ? 'exited' : h.exitDescription);
  return out;
}

describe('long functions: BUSY, FUNCTION KILL, UNKILLABLE, SHUTDOWN NOSAVE (differential)', { skip: skipIfNoRedis() }, () => {
  const started: ServerHandle[] = [];
  after(async () => {
    await Promise.all(started.map((h) => h.stop()));
  });

  test('the same answers from both servers', async () => {
    const [ours, theirs] = await Promise.all([startCinnabar({ args: ARGS }), startRedis({ args: ARGS })]);
    started.push(ours, theirs);
    const [o, t] = await Promise.all([scenario(ours), scenario(theirs)]);
    assert.deepEqual(o, t);
    assert.match(o[1], /BUSY Redis is busy running a script\. You can only call FUNCTION KILL or SHUTDOWN NOSAVE/);
    assert.match(o[4], /spin/);
    assert.match(o[6], /Script killed by user/);
    assert.match(o[12], /UNKILLABLE/);
  });
});
