// The cluster commands a node answers alone (no bus), redis-server 7.0 with
// cluster-enabled yes against Cinnabar, both loaded from the same nodes.conf (so
// node ids match), in RESP2 and RESP3: CLUSTER INFO NODES SLOTS SHARDS MYID KEYSLOT
// COUNTKEYSINSLOT GETKEYSINSLOT ADDSLOTS ADDSLOTSRANGE DELSLOTS DELSLOTSRANGE
// FLUSHSLOTS SETSLOT RESET SAVECONFIG SET-CONFIG-EPOCH BUMPEPOCH
// COUNT-FAILURE-REPORTS REPLICAS SLAVES FORGET LINKS HELP, READONLY READWRITE
// ASKING, their errors, SELECT/SWAPDB/MOVE refused, CONFIG GET cluster-*, and the
// "cluster support disabled" answers of a standalone server.
//
// Differences named (test/helpers/known-differences.ts):
//   - CLUSTER MYSHARDID and its HELP lines are 7.2's (cluster-myshardid,
//     cluster-help-myshardid); CLUSTER SHARDS groups by shard id in 7.2, by primary
//     in 7.0: the same for these nodes;
//   - cluster-announce-human-nodename is a 7.2 directive (config-get-cluster-human-nodename).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { maskFields } from '../helpers/known-differences.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { ConfDir, ID_B, ID_C, ID_ME, clusterArgs, portNormalizer, singleNodeConf, threeNodeConf } from '../helpers/nodes-conf.js';
import { keyHashSlot } from '../../src/keyspace/hash-slot.js';

const confs = new ConfDir();

async function clusterPair(text: string, resp3: boolean): Promise<{ pair: DiffPair; ours: ServerHandle; theirs: ServerHandle; ourConf: string }> {
  const ourConf = confs.file(text);
  const [ours, theirs] = await Promise.all([startCinnabar({ args: clusterArgs(ourConf) }), startRedis({ args: clusterArgs(confs.file(text)) })]);
  const pair = await DiffPair.fromServers(ours, theirs, true);
  if (resp3) await pair.check([['HELLO', '3']], { ignore: true });
  return { pair, ours, theirs, ourConf };
}

async function waitState(s: ServerHandle, state: 'ok' | 'fail'): Promise<void> {
  await waitFor(`cluster_state:${state} on ${s.kind}`, async () => String(await call(s.port, 'CLUSTER', 'INFO')).includes(`cluster_state:${state}`), 15000);
}

/** A key of hash slot `slot` (found by trying names). */
function keyInSlot(slot: number, prefix = 'k'): string {
  for (let i = 0; i < 1_000_000; i++) if (keyHashSlot(`${prefix}${i}`) === slot) return `${prefix}${i}`;
  throw new Error(`no key found for slot ${slot}`);
}

after(() => confs.cleanup());

for (const resp3 of [false, true]) {
  describe(`cluster commands of one node against redis-server (${resp3 ? 'RESP3' : 'RESP2'})`, { skip: skipIfNoRedis() }, () => {
    let pair: DiffPair;
    let ours: ServerHandle;
    let theirs: ServerHandle;
    let ourConf: string;
    let check: (cmds: readonly CheckItem[]) => Promise<unknown>;

    before(async () => {
      ({ pair, ours, theirs, ourConf } = await clusterPair(singleNodeConf(), resp3));
      const normalize = portNormalizer(ours.port, theirs.port);
      check = (cmds) => pair.check(cmds, { normalize });
    });
    after(async () => pair?.close());

    test('errors of the slot commands, then slots assigned', async () => {
      await check([
        ['CLUSTER', 'MYID'],
        ['CLUSTER', 'KEYSLOT', 'foo'],
        ['CLUSTER', 'KEYSLOT', '{user1000}.following'],
        ['CLUSTER', 'KEYSLOT', ''],
        ['CLUSTER', 'KEYSLOT'],
        ['CLUSTER', 'NOSUCH'],
        ['CLUSTER', 'ADDSLOTS', '1', '1'],
        ['CLUSTER', 'ADDSLOTS', '1', 'x'],
        ['CLUSTER', 'ADDSLOTS', '16384'],
        ['CLUSTER', 'ADDSLOTS', '-1'],
        ['CLUSTER', 'ADDSLOTSRANGE', '1', '2', '3'],
        ['CLUSTER', 'ADDSLOTSRANGE', '5', '2'],
        ['CLUSTER', 'ADDSLOTSRANGE', '5', '16384'],
        ['CLUSTER', 'ADDSLOTS', '1', '2'],
        ['CLUSTER', 'ADDSLOTS', '2'],
        ['CLUSTER', 'DELSLOTS', '3'],
        ['CLUSTER', 'DELSLOTS', '1', '1'],
        ['CLUSTER', 'DELSLOTSRANGE', '1', '5'],
        ['CLUSTER', 'DELSLOTSRANGE', '1', '2'],
        ['CLUSTER', 'DELSLOTS', '1'],
        ['CLUSTER', 'COUNTKEYSINSLOT', 'x'],
        ['CLUSTER', 'COUNTKEYSINSLOT', '16384'],
        ['CLUSTER', 'COUNTKEYSINSLOT', '-1'],
        ['CLUSTER', 'GETKEYSINSLOT', '1', '-1'],
        ['CLUSTER', 'GETKEYSINSLOT', 'x', '1'],
        ['CLUSTER', 'GETKEYSINSLOT', '1', 'x'],
        ['CLUSTER', 'SETSLOT', '5', 'MIGRATING'],
        ['CLUSTER', 'SETSLOT', '5', 'foo', 'bar'],
        ['CLUSTER', 'SETSLOT', '5', 'STABLE', 'x'],
        ['CLUSTER', 'SETSLOT', '5', 'MIGRATING', 'abc'],
        ['CLUSTER', 'SETSLOT', '5', 'NODE', 'abc'],
        ['CLUSTER', 'SETSLOT', '99999', 'NODE', 'abc'],
        ['CLUSTER', 'SETSLOT', '5', 'IMPORTING', 'abc'],
        ['CLUSTER', 'SET-CONFIG-EPOCH', '-1'],
        ['CLUSTER', 'SET-CONFIG-EPOCH', 'x'],
        ['CLUSTER', 'COUNT-FAILURE-REPORTS', 'abc'],
        ['CLUSTER', 'COUNT-FAILURE-REPORTS', ID_ME],
        ['CLUSTER', 'RESET', 'foo'],
        ['CLUSTER', 'RESET', 'hard', 'x'],
        ['CLUSTER', 'REPLICAS', 'abc'],
        ['CLUSTER', 'SLAVES', ID_ME],
        ['CLUSTER', 'FORGET', 'abc'],
        ['CLUSTER', 'FORGET', ID_ME],
        ['CLUSTER', 'FAILOVER', 'x'],
        ['CLUSTER', 'LINKS'],
        ['CLUSTER', 'SLOTS'],
        ['CLUSTER', 'SHARDS'],
        ['CLUSTER', 'HELP'],
        ['CLUSTER', 'MYSHARDID'],
        // Each server has its own file: the path is masked.
        { cmd: ['CONFIG', 'GET', 'cluster-*'], unordered: 'pairs', normalize: (r) => maskFields(r, new Set(['cluster-config-file'])) },
        ['READONLY'],
        ['READWRITE'],
        ['ASKING'],
        ['SELECT', '1'],
        ['SELECT', '0'],
        ['SWAPDB', '0', '1'],
        ['SET', 'k', 'v'],
      ]);
      // The shard id is the one nodes.conf holds.
      const shard = String(await call(ours.port, 'CLUSTER', 'MYSHARDID'));
      assert.ok(readFileSync(ourConf, 'latin1').includes(`shard-id=${shard}`));
      await check([
        ['CLUSTER', 'ADDSLOTSRANGE', '0', '100', '200', '16383'],
        ['CLUSTER', 'ADDSLOTS', '101', '102'],
        ['CLUSTER', 'DELSLOTS', '102'],
      ]);
      await Promise.all([waitState(ours, 'fail'), waitState(theirs, 'fail')]);
      await check([['CLUSTER', 'ADDSLOTSRANGE', '102', '199']]);
      await Promise.all([waitState(ours, 'ok'), waitState(theirs, 'ok')]);
      await check([
        ['CLUSTER', 'INFO'],
        ['CLUSTER', 'NODES'],
        ['CLUSTER', 'SLOTS'],
        ['CLUSTER', 'SHARDS'],
        ['MSET', '{a}1', 'x', '{a}2', 'y', '{a}3', 'z', 'b', 'w'],
        ['MOVE', 'b', '1'],
        ['CLUSTER', 'COUNTKEYSINSLOT', String(keyHashSlot('a'))],
        { cmd: ['CLUSTER', 'GETKEYSINSLOT', String(keyHashSlot('a')), '10'], unordered: true },
        ['CLUSTER', 'GETKEYSINSLOT', String(keyHashSlot('a')), '0'],
        ['CLUSTER', 'COUNTKEYSINSLOT', '0'],
        ['CLUSTER', 'FLUSHSLOTS'],
        ['CLUSTER', 'RESET'],
        ['CLUSTER', 'SETSLOT', String(keyHashSlot('a')), 'NODE', ID_ME],
        ['CLUSTER', 'SETSLOT', String(keyHashSlot('a')), 'IMPORTING', ID_ME],
        ['CLUSTER', 'SETSLOT', String(keyHashSlot('a')), 'MIGRATING', ID_ME],
        ['CLUSTER', 'NODES'],
        ['CLUSTER', 'SETSLOT', String(keyHashSlot('a')), 'STABLE'],
        ['CLUSTER', 'SAVECONFIG'],
        ['CLUSTER', 'BUMPEPOCH'],
        ['CLUSTER', 'BUMPEPOCH'],
        ['CLUSTER', 'SET-CONFIG-EPOCH', '5'],
        ['CLUSTER', 'INFO'],
        ['FLUSHALL'],
        ['CLUSTER', 'FLUSHSLOTS'],
        ['CLUSTER', 'SLOTS'],
      ]);
      await Promise.all([waitState(ours, 'fail'), waitState(theirs, 'fail')]);
      await check([
        ['CLUSTER', 'INFO'],
        ['CLUSTER', 'RESET', 'SOFT'],
        ['CLUSTER', 'INFO'],
        ['CLUSTER', 'MYID'],
      ]);
      // A hard reset gives a new random id and epoch 0.
      await check([['CLUSTER', 'RESET', 'HARD']]);
      for (const s of [ours, theirs]) assert.notEqual(await call(s.port, 'CLUSTER', 'MYID'), ID_ME, s.kind);
      await check([['CLUSTER', 'SET-CONFIG-EPOCH', '3']]);
    });
  });
}

describe('cluster commands that name other nodes, against redis-server', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;
  let check: (cmds: readonly CheckItem[]) => Promise<unknown>;

  before(async () => {
    ({ pair, ours, theirs } = await clusterPair(threeNodeConf(), true));
    const ports = portNormalizer(ours.port, theirs.port);
    // The peers are unreachable: the bus message counters of CLUSTER INFO (redis-server
    // counts the PINGs it queues on links still connecting) are the bus's, not compared here.
    const normalize: typeof ports = (r, cmd, side) => {
      const x = ports(r, cmd, side);
      return x.t === 'verbatim' || (x.t === 'bulk' && x.v !== null) ? { ...x, v: x.v!.replace(/cluster_stats_messages_\w+:\d+\r\n/g, '') } : x;
    };
    check = (cmds) => pair.check(cmds, { normalize });
  });
  after(async () => pair?.close());

  test('SETSLOT, REPLICAS, COUNT-FAILURE-REPORTS, FORGET and SET-CONFIG-EPOCH with peers', async () => {
    const mine = keyInSlot(100);
    // Every slot is served and the peers are not suspected: ok once the writable delay passed.
    await Promise.all([waitState(ours, 'ok'), waitState(theirs, 'ok')]);
    await check([
      ['CLUSTER', 'SETSLOT', '6000', 'MIGRATING', ID_B],
      ['CLUSTER', 'SETSLOT', '100', 'IMPORTING', ID_B],
      ['CLUSTER', 'SETSLOT', '100', 'MIGRATING', ID_C],
      ['CLUSTER', 'SETSLOT', '6000', 'IMPORTING', ID_C],
      ['CLUSTER', 'SETSLOT', '100', 'NODE', ID_C],
      ['CLUSTER', 'SET-CONFIG-EPOCH', '9'],
      ['CLUSTER', 'REPLICAS', ID_B],
      ['CLUSTER', 'SLAVES', ID_C],
      { cmd: ['CLUSTER', 'SHARDS'], unordered: true },
      ['CLUSTER', 'COUNT-FAILURE-REPORTS', ID_B],
      ['SET', mine, 'v'],
      ['CLUSTER', 'SETSLOT', '100', 'NODE', ID_B],
      ['CLUSTER', 'SETSLOT', '100', 'MIGRATING', ID_B],
      ['CLUSTER', 'SETSLOT', '6000', 'IMPORTING', ID_B],
      ['CLUSTER', 'NODES'],
      ['DEL', mine],
      ['CLUSTER', 'SETSLOT', '100', 'NODE', ID_B],
      ['CLUSTER', 'SETSLOT', '6000', 'NODE', ID_ME],
      ['CLUSTER', 'NODES'],
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'FORGET', ID_C],
      ['CLUSTER', 'NODES'],
      ['CLUSTER', 'SLOTS'],
      { cmd: ['CLUSTER', 'SHARDS'], unordered: true },
    ]);
  });
});

describe('cluster commands in standalone mode, against redis-server', { skip: skipIfNoRedis() }, () => {
  test('CLUSTER, READONLY, READWRITE and ASKING answer "cluster support disabled"', async () => {
    const pair = await DiffPair.start();
    try {
      await pair.check([
        ['CLUSTER', 'INFO'],
        ['CLUSTER', 'HELP'],
        ['CLUSTER', 'KEYSLOT', 'a'],
        ['CLUSTER', 'NOSUCH'],
        ['READONLY'],
        ['READWRITE'],
        ['ASKING'],
        ['SELECT', '1'],
      ]);
    } finally {
      await pair.close();
    }
  });
});
