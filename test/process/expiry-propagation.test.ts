// What the AOF receives, redis-server and Cinnabar side by side (issue 13, item 3):
// every command that sets a TTL writes it as an absolute millisecond time (PXAT,
// PEXPIREAT), a TTL in the past as DEL; the keys SCAN and RANDOMKEY find expired are
// plain DELs, never wrapped in MULTI/EXEC (Redis 7.2's CMD_TOUCHES_ARBITRARY_KEYS),
// while a key found expired inside EXEC is DELeted inside the transaction's MULTI/EXEC.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';
import { formatReply } from '../../src/protocol/resp-client.js';

const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

/** The commands of the server's AOF incr files, absolute ms times as <ms>, after the first SELECT. */
function aofCommands(dir: string): string[] {
  const d = path.join(dir, 'appendonlydir');
  if (!fs.existsSync(d)) return [];
  const out: string[] = [];
  for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.incr.aof')).sort()) {
    const parts = fs.readFileSync(path.join(d, f), 'latin1').split('\r\n');
    for (let i = 0; i < parts.length; ) {
      if (!parts[i].startsWith('*')) {
        i++;
        continue;
      }
      const n = Number(parts[i].slice(1));
      const args: string[] = [];
      i++;
      for (let j = 0; j < n; j++, i += 2) args.push(/^\d{13}$/.test(parts[i + 1] ?? '') ? '<ms>' : (parts[i + 1] ?? ''));
      out.push(args.join(' '));
    }
  }
  return out.filter((l) => !l.startsWith('SELECT'));
}

const TTL_STEPS: string[][] = [
  ['SET', 'k1', 'v', 'EX', '100'],
  ['SET', 'k2', 'v', 'PX', '100000'],
  ['SETEX', 'k3', '100', 'v'],
  ['PSETEX', 'k4', '100000', 'v'],
  ['SET', 'k5', 'v'],
  ['EXPIRE', 'k5', '100'],
  ['PEXPIRE', 'k5', '100000'],
  ['EXPIREAT', 'k5', '4102444800'],
  ['GETEX', 'k5', 'EX', '100'],
  ['GETEX', 'k5', 'PXAT', '4102444800000'],
  ['GETEX', 'k5', 'PERSIST'],
  ['SET', 'k7', 'v', 'EXAT', '4102444800'],
  ['SET', 'k8', 'v', 'GET', 'EX', '100'],
  ['SET', 'k9', 'v', 'NX', 'EX', '100'],
  ['SET', 'k9', 'w', 'XX', 'KEEPTTL'],
  ['RPUSH', 'l', 'a'],
  ['EXPIRE', 'l', '100', 'NX'],
  ['EXPIRE', 'l', '200', 'GT'],
  ['SET', 'n1', 'v'],
  ['EXPIRE', 'n1', '-1'],
  ['SET', 'n2', 'v'],
  ['PEXPIREAT', 'n2', '1000'],
];

/** Waits until `ms` have passed on the server's clock (without touching any key). */
async function serverWait(c: Awaited<ReturnType<ServerHandle['client']>>, ms: number, what: string): Promise<void> {
  const now = async (): Promise<number> => {
    const r = await c.call('TIME');
    assert.ok(r.t === 'array' && r.v);
    const [sec, usec] = r.v.map((x) => (x.t === 'bulk' ? Number(x.v) : NaN));
    return sec * 1000 + usec / 1000;
  };
  const start = await now();
  await waitFor(what, async () => (await now()) - start > ms, 5000);
}

async function runSteps(s: ServerHandle): Promise<string[]> {
  const c = await s.client();
  for (const step of TTL_STEPS) {
    const r = await c.call(...step);
    assert.notEqual(r.t, 'err', `${s.kind}: ${step.join(' ')}`);
  }
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  // SCAN finds three expired keys.
  for (const k of ['e1', 'e2', 'e3']) await c.call('SET', k, 'v', 'PX', '1');
  await serverWait(c, 5, `${s.kind}: e1..e3 to expire`);
  await c.call('SCAN', '0', 'COUNT', '1000');
  // RANDOMKEY in a database whose only key has expired.
  await c.call('SELECT', '1');
  await c.call('SET', 'r1', 'v', 'PX', '1');
  await serverWait(c, 5, `${s.kind}: r1 to expire`);
  const rk = await c.call('RANDOMKEY');
  assert.ok(rk.t === 'null' || (rk.t === 'bulk' && rk.v === null), `${s.kind}: RANDOMKEY of an expired key: ${formatReply(rk)}`);
  await c.call('SELECT', '0');
  // A transaction reading a key that has expired, then writing.
  await c.call('SET', 'x1', 'v', 'PX', '1');
  await serverWait(c, 5, `${s.kind}: x1 to expire`);
  await c.call('MULTI');
  await c.call('GET', 'x1');
  await c.call('SET', 'x2', '1');
  await c.call('EXEC');
  await c.call('SET', 'marker', 'end');
  await waitFor(`${s.kind}: the AOF to hold the last write`, () => aofCommands(s.dir).includes('SET marker end'), 5000);
  // Command names as the client typed them or as the server rewrote them: compare upper-cased.
  return aofCommands(s.dir).map((l) => l.replace(/^\S+/, (m) => m.toUpperCase()));
}

describe('TTLs and expired keys in the AOF', { skip: skipIfNoRedis() }, () => {
  test('both servers write the same commands', async () => {
    const got: Record<string, string[]> = {};
    for (const [kind, start] of [
      ['redis', startRedis],
      ['cinnabar', startCinnabar],
    ] as const) {
      const s = await start({ args: ['--appendonly', 'yes', '--enable-debug-command', 'yes'] });
      servers.push(s);
      got[kind] = await runSteps(s);
      await s.stop();
    }
    const { redis, cinnabar } = got;
    const show = (l: string[]): string => '\n' + l.join('\n');
    // Every TTL as an absolute time (or DEL), identical on both.
    for (const l of [redis, cinnabar]) assert.ok(!l.some((x) => / (EX|PX|EXAT) /.test(x) || /^(EXPIRE|PEXPIRE|EXPIREAT|SETEX|PSETEX) /.test(x)), show(l));
    // SCAN's three DELs (in its order) right after the keys were set, RANDOMKEY's one, without MULTI/EXEC.
    for (const l of [redis, cinnabar]) {
      const at = l.indexOf('SET e3 v PXAT <ms>');
      assert.deepEqual(new Set(l.slice(at + 1, at + 4)), new Set(['DEL e1', 'DEL e2', 'DEL e3']), show(l));
      assert.deepEqual(l.slice(at + 4, at + 6), ['SET r1 v PXAT <ms>', 'DEL r1'], show(l));
    }
    // A key found expired inside EXEC: its DEL inside the transaction's MULTI/EXEC.
    const tail = ['SET x1 v PXAT <ms>', 'MULTI', 'DEL x1', 'SET x2 1', 'EXEC', 'SET marker end'];
    assert.deepEqual(cinnabar.slice(-tail.length), tail, show(cinnabar));
    // Everything the same, line for line (SCAN's DELs in either order).
    const norm = (l: string[]): string[] => l.map((x) => (/^DEL e\d$/.test(x) ? 'DEL e?' : x));
    assert.deepEqual(norm(cinnabar), norm(redis));
  });
});
