// Cluster routing (the 'cluster' phase, src/cluster/routing.ts), redis-server 7.0
// against Cinnabar on single nodes that load the same nodes.conf: myself owns slots
// 0-5460, a primary B (unreachable, 192.0.2.1:7002) the rest, C replicates B; slots
// are moved and opened by hand with SETSLOT. Compared: -MOVED, -ASK, -TRYAGAIN,
// -CROSSSLOT, -CLUSTERDOWN (unbound slot, cluster down, reads allowed when down), the
// migrating and importing semantics of one and several keys, ASKING lasting one
// command, RESTORE-ASKING, MULTI/EXEC (a redirected queued command dooms the
// transaction; an EXEC whose slot moved is discarded with the redirection), WATCH,
// the sharded pub/sub commands, the endpoint types, INFO errorstats and the cluster
// section; then READONLY reads on a node that is a replica of B.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { ConfDir, ID_B, ID_C, ID_ME, B_ADDR, clusterArgs, portNormalizer, threeNodeConf } from '../helpers/nodes-conf.js';
import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import type { RespClient } from '../../src/protocol/resp-client.js';

const confs = new ConfDir();
after(() => confs.cleanup());

/** A key of hash slot `slot`, with an optional hash tag prefix kept in the slot. */
function keyInSlot(slot: number, prefix = 'k'): string {
  for (let i = 0; i < 1_000_000; i++) if (keyHashSlot(`${prefix}${i}`) === slot) return `${prefix}${i}`;
  throw new Error(`no key found for slot ${slot}`);
}

async function waitState(s: ServerHandle, state: 'ok' | 'fail'): Promise<void> {
  await waitFor(`cluster_state:${state} on ${s.kind}`, async () => String(await call(s.port, 'CLUSTER', 'INFO')).includes(`cluster_state:${state}`), 15000);
}

async function startNodes(text: string): Promise<{ pair: DiffPair; ours: ServerHandle; theirs: ServerHandle }> {
  const [ours, theirs] = await Promise.all([startCinnabar({ args: clusterArgs(confs.file(text)) }), startRedis({ args: clusterArgs(confs.file(text)) })]);
  const pair = await DiffPair.fromServers(ours, theirs, true);
  await Promise.all([waitState(ours, 'ok'), waitState(theirs, 'ok')]);
  return { pair, ours, theirs };
}

// Slots: 100 mine (keys kept), 101 mine then migrating to B, 6000 B's then imported,
// 6001 B's, 102 mine then unassigned.
const MINE = keyInSlot(100);
const THEIRS = keyInSlot(6001);
const MIG = '{' + keyInSlot(101, 'm') + '}';
const IMP = '{' + keyInSlot(6000, 'i') + '}';
const GONE = keyInSlot(102);
const PLAIN = `{${MINE}}p`;

describe('cluster routing on a primary, against redis-server', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let check: (cmds: readonly CheckItem[]) => Promise<unknown>;
  let second: [RespClient, RespClient];

  before(async () => {
    ({ pair, ours, theirs } = await startNodes(threeNodeConf()));
    const normalize = portNormalizer(ours.port, theirs.port);
    check = (cmds) => pair.check(cmds, { normalize });
    second = [await ours.client(), await theirs.client()];
  });
  after(async () => pair?.close());

  test('MOVED, CROSSSLOT, hash tags, keyless commands and the endpoint types', async () => {
    await check([
      ['SET', MINE, 'v'],
      ['GET', MINE],
      ['GET', THEIRS],
      ['SET', THEIRS, 'v'],
      ['MSET', MINE, '1', THEIRS, '2'],
      ['MGET', MINE, MINE],
      ['MSET', '{t}a', '1', '{t}b', '2'],
      ['DEL', '{t}a', '{t}b', '{t}c'],
      ['EXISTS', THEIRS, MINE],
      ['SORT', THEIRS],
      ['ZUNIONSTORE', MINE + 'x', '1', THEIRS],
      ['PING'],
      ['DBSIZE'],
      ['SPUBLISH', THEIRS, 'm'],
      ['SPUBLISH', MINE, 'm'],
      ['PUBLISH', THEIRS, 'm'],
      ['CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'hostname'],
      ['GET', THEIRS],
      ['CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'unknown-endpoint'],
      ['GET', THEIRS],
      ['CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'ip'],
      ['GET', THEIRS],
    ]);
    const { ours: o } = await pair.run(['GET', THEIRS]);
    assert.deepEqual(o, { t: 'err', v: `MOVED 6001 ${B_ADDR}` });
  });

  test('migrating: ASK for missing keys, TRYAGAIN for some, served when all are here', async () => {
    await check([
      ['SET', `${MIG}1`, 'a'],
      ['SET', `${MIG}2`, 'b'],
      ['CLUSTER', 'SETSLOT', '101', 'MIGRATING', ID_B],
      ['GET', `${MIG}1`],
      ['GET', `${MIG}3`],
      ['SET', `${MIG}3`, 'x'],
      ['MGET', `${MIG}1`, `${MIG}2`],
      ['MGET', `${MIG}1`, `${MIG}3`],
      ['MGET', `${MIG}3`, `${MIG}4`],
      ['DEL', `${MIG}2`],
      ['GET', `${MIG}2`],
      ['EXISTS', `${MIG}1`, `${MIG}2`],
      ['CLUSTER', 'SETSLOT', '101', 'STABLE'],
      ['GET', `${MIG}2`],
    ]);
  });

  test('importing: MOVED unless ASKING, which lasts one command; TRYAGAIN for a partial multi-key; RESTORE-ASKING', async () => {
    await check([
      ['SET', PLAIN, 'p'],
      ['DUMP', PLAIN],
      ['CLUSTER', 'SETSLOT', '6000', 'IMPORTING', ID_B],
      ['GET', `${IMP}1`],
      ['ASKING'],
      ['GET', `${IMP}1`],
      ['GET', `${IMP}1`],
      ['ASKING'],
      ['SET', `${IMP}1`, 'v'],
      ['ASKING'],
      ['PING'],
      ['GET', `${IMP}1`],
      ['ASKING'],
      ['MGET', `${IMP}1`, `${IMP}2`],
      ['ASKING'],
      ['MGET', `${IMP}1`, `${IMP}1`],
      ['ASKING'],
      ['MULTI'],
      ['GET', `${IMP}1`],
      ['EXEC'],
    ]);
    const dump = await pair.run(['DUMP', PLAIN]);
    assert.equal(dump.ours.t, 'bulk');
    // RESTORE-ASKING is served on an importing slot without ASKING (the asking flag of its spec).
    const payload = (dump.theirs as { v: string }).v;
    await check([
      ['RESTORE-ASKING', `${IMP}9`, '0', payload],
      ['RESTORE', `${IMP}8`, '0', payload],
      ['CLUSTER', 'SETSLOT', '6000', 'NODE', ID_ME],
      ['GET', `${IMP}1`],
      ['GET', `${IMP}9`],
      ['CLUSTER', 'NODES'],
    ]);
  });

  test('MULTI/EXEC and WATCH: a redirected queued command dooms EXEC; an EXEC whose slot moved is discarded with the redirection', async () => {
    const s200 = keyInSlot(200);
    await check([
      ['MULTI'],
      ['SET', MINE, '1'],
      ['SET', THEIRS, '2'],
      ['EXEC'],
      ['MULTI'],
      ['SET', MINE, '1'],
      ['MSET', MINE, '1', '{t}x', '2'],
      ['EXEC'],
      ['WATCH', THEIRS],
      ['WATCH', MINE],
      ['MULTI'],
      ['SET', s200, '1'],
    ]);
    // Another client moves slot 200 away meanwhile: EXEC is redirected and the transaction dropped.
    for (const c of second) assert.deepEqual(await c.call('CLUSTER', 'SETSLOT', '200', 'NODE', ID_B), { t: 'simple', v: 'OK' });
    await check([['EXEC'], ['EXEC'], ['GET', s200], ['UNWATCH']]);
  });

  test('an unbound slot, the cluster down, and reads allowed when down; errorstats and INFO cluster', async () => {
    await check([['CLUSTER', 'DELSLOTS', '102'], ['GET', GONE]]);
    await Promise.all([waitState(ours, 'fail'), waitState(theirs, 'fail')]);
    await check([
      ['GET', MINE],
      ['SET', MINE, 'x'],
      ['PING'],
      ['SPUBLISH', MINE, 'm'],
      ['CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes'],
      ['GET', MINE],
      ['SET', MINE, 'x'],
      ['GET', THEIRS],
      ['MULTI'],
      ['GET', MINE],
      ['SET', MINE, 'x'],
      ['EXEC'],
      ['CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'no'],
      ['SPUBLISH', MINE, 'm'],
      ['CONFIG', 'SET', 'cluster-require-full-coverage', 'no'],
    ]);
    await Promise.all([waitState(ours, 'ok'), waitState(theirs, 'ok')]);
    await check([['SET', MINE, 'y'], ['GET', GONE]]);
    for (const s of [ours, theirs]) {
      const info = String(await call(s.port, 'INFO', 'cluster'));
      assert.match(info, /cluster_enabled:1/);
    }
    // Every side sent the same redirections and refusals.
    const stats = async (s: ServerHandle): Promise<string[]> =>
      String(await call(s.port, 'INFO', 'errorstats'))
        .split('\r\n')
        .filter((l) => /^errorstat_(MOVED|ASK|TRYAGAIN|CROSSSLOT|CLUSTERDOWN):/.test(l))
        .sort();
    const mineStats = await stats(ours);
    assert.deepEqual(mineStats, await stats(theirs));
    assert.ok(mineStats.some((l) => l.startsWith('errorstat_MOVED:count=')) && mineStats.some((l) => l.startsWith('errorstat_ASK:count=')), mineStats.join('\n'));
  });
});

describe('cluster routing on a replica (READONLY), against redis-server', { skip: skipIfNoRedis() }, () => {
  test('READONLY reads of the primary\'s slots are served, writes and READWRITE redirected', async () => {
    // Myself is a replica of B: B owns every slot.
    const text =
      `${ID_ME} 127.0.0.1:1@1 myself,slave ${ID_B} 0 0 2 connected\n` +
      `${ID_B} ${B_ADDR}@17002 master - 0 0 2 connected 0-16383\n` +
      `${ID_C} 192.0.2.1:7003@17003 master - 0 0 1 connected\n` +
      'vars currentEpoch 2 lastVoteEpoch 0\n';
    const { pair, ours, theirs } = await startNodes(text);
    try {
      const normalize = portNormalizer(ours.port, theirs.port);
      await pair.check(
        [
          ['GET', MINE],
          ['READONLY'],
          ['GET', MINE],
          ['MGET', MINE, MINE],
          ['SET', MINE, 'v'],
          ['MULTI'],
          ['GET', MINE],
          ['EXEC'],
          ['READWRITE'],
          ['GET', MINE],
          ['CLUSTER', 'SETSLOT', '5', 'STABLE'],
          ['CLUSTER', 'INFO'],
        ],
        { normalize: (r, cmd, side) => {
            const x = normalize(r, cmd, side);
            return x.t === 'verbatim' || (x.t === 'bulk' && x.v !== null) ? { ...x, v: x.v!.replace(/cluster_stats_messages_\w+:\d+\r\n/g, '') } : x;
          } },
      );
    } finally {
      await pair.close();
    }
  });
});
