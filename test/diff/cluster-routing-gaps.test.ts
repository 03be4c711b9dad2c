// Routing cases of issue 14 item 4 not covered by cluster-routing.test.ts, redis-server
// 7.0 against Cinnabar on single nodes loading the same nodes.conf (helpers/nodes-conf.ts):
// - sharded pub/sub: a client subscribed to shard channels of a slot that stops being
//   served here (SETSLOT NODE to another primary, DELSLOTS; on a replica, its
//   primary's slot deleted) gets `sunsubscribe` for each of them, with its remaining
//   count, as Redis 7.0's removeChannelsInSlot; channels of other slots are kept;
// - SELECT refused in cluster mode (only database 0);
// - MULTI/EXEC with ASK: a queued command asked away dooms EXEC; an EXEC whose key
//   left the migrating slot meanwhile gets the ASK and the transaction is dropped;
// - INFO's cluster section and errorstats (MOVED, ASK, CROSSSLOT …) compared whole
//   after CONFIG RESETSTAT.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { ConfDir, ID_B, ID_C, ID_ME, B_ADDR, clusterArgs, portNormalizer, threeNodeConf } from '../helpers/nodes-conf.js';
import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { encodeCommand, formatReply, RespClient, type Reply } from '../../src/protocol/resp-client.js';

const confs = new ConfDir();
after(() => confs.cleanup());

function keyInSlot(slot: number, prefix = 'k'): string {
  for (let i = 0; i < 1_000_000; i++) if (keyHashSlot(`${prefix}${i}`) === slot) return `${prefix}${i}`;
  throw new Error(`no key found for slot ${slot}`);
}

async function startNodes(text: string): Promise<{ pair: DiffPair; ours: ServerHandle; theirs: ServerHandle }> {
  const [ours, theirs] = await Promise.all([startCinnabar({ args: clusterArgs(confs.file(text)) }), startRedis({ args: clusterArgs(confs.file(text)) })]);
  const pair = await DiffPair.fromServers(ours, theirs, true);
  for (const s of [ours, theirs]) {
    await waitFor(`cluster_state:ok on ${s.kind}`, async () => String(await call(s.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 15000);
  }
  return { pair, ours, theirs };
}

/** Pushes received by `c` until `count` arrived (each within a deadline), as text. */
async function pushes(c: RespClient, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(formatReply(await c.nextPush(5000)));
  return out;
}

/** No further push within a short window (the negative half of a sunsubscribe check). */
async function noMorePush(c: RespClient): Promise<void> {
  const r = await c.nextPush(300).then((p: Reply) => formatReply(p), () => null);
  assert.equal(r, null, `unexpected push ${r}`);
}

// Channels: two of slot 200 (hash tag), one of slot 201, one of slot 100 (stays).
const S200 = keyInSlot(200, 'c');
const CH_A = `{${S200}}a`;
const CH_B = `{${S200}}b`;
const CH_201 = keyInSlot(201, 'd');
const CH_100 = keyInSlot(100, 'e');

describe('sharded pub/sub, SELECT, MULTI with ASK, INFO cluster and errorstats, against redis-server', { skip: skipIfNoRedis(), timeout: 60000 }, () => {
  test('shard channels of a slot moved away or deleted are sunsubscribed (RESP2 and RESP3)', async () => {
    const { pair, ours, theirs } = await startNodes(threeNodeConf());
    const subs: RespClient[] = [];
    try {
      const results: Record<string, string[]> = {};
      for (const s of [ours, theirs]) {
        const r2 = await s.client();
        const r3 = await s.client();
        subs.push(r2, r3);
        assert.equal((await r3.call('HELLO', '3')).t, 'map');
        for (const c of [r2, r3]) {
          // One SSUBSCRIBE per slot (channels of several slots are CROSSSLOT).
          for (const chs of [[CH_A, CH_B], [CH_201], [CH_100]]) await c.sendRaw(encodeCommand(['SSUBSCRIBE', ...chs]));
          const confirms = await pushes(c, 4);
          assert.match(confirms[3]!, /ssubscribe/);
        }
        const admin = await s.client();
        subs.push(admin);
        // Slot 200 goes to B: its two channels are dropped, the others stay.
        assert.deepEqual(await admin.call('CLUSTER', 'SETSLOT', '200', 'NODE', ID_B), { t: 'simple', v: 'OK' });
        const a2 = await pushes(r2, 2);
        const a3 = await pushes(r3, 2);
        await noMorePush(r2);
        // Slot 201 deleted.
        assert.deepEqual(await admin.call('CLUSTER', 'DELSLOTS', '201'), { t: 'simple', v: 'OK' });
        const b2 = await pushes(r2, 1);
        const b3 = await pushes(r3, 1);
        await noMorePush(r3);
        // Slot 100's channel still delivers; a channel of slot 200 is now redirected.
        const pub = formatReply(await admin.call('SPUBLISH', CH_100, 'hello'));
        assert.match(pub, /2/, pub);
        const c2 = await pushes(r2, 1);
        const c3 = await pushes(r3, 1);
        await r2.sendRaw(encodeCommand(['SSUBSCRIBE', CH_A]));
        const resub = (await pushes(r2, 1))[0]!;
        const shardChannels = formatReply(await admin.call('PUBSUB', 'SHARDCHANNELS'));
        results[s.kind] = [pub, ...a2, ...a3, ...b2, ...b3, ...c2, ...c3, resub.replace(/:\d+$/, ':<port>'), shardChannels];
      }
      assert.deepEqual(results.cinnabar, results.redis);
      // What Redis sends, spelled out: the two channels of slot 200, then slot 201's.
      assert.match(results.redis![1]!, new RegExp(`sunsubscribe.*${CH_A.replace(/[{}]/g, '\\$&')}.*3`));
      assert.match(results.redis![5]!, new RegExp(`sunsubscribe.*${CH_201}.*1`));
    } finally {
      for (const c of subs) c.destroy();
      await pair.close();
    }
  });

  test('on a replica: its primary\'s slot deleted drops that slot\'s shard channels', async () => {
    const text =
      `${ID_ME} 127.0.0.1:1@1 myself,slave ${ID_B} 0 0 2 connected\n` +
      `${ID_B} ${B_ADDR}@17002 master - 0 0 2 connected 0-16383\n` +
      `${ID_C} 192.0.2.1:7003@17003 master - 0 0 1 connected\n` +
      'vars currentEpoch 2 lastVoteEpoch 0\n';
    const { pair, ours, theirs } = await startNodes(text);
    const subs: RespClient[] = [];
    try {
      const results: Record<string, string[]> = {};
      for (const s of [ours, theirs]) {
        const sub = await s.client();
        const admin = await s.client();
        subs.push(sub, admin);
        await sub.sendRaw(encodeCommand(['SSUBSCRIBE', CH_201]));
        await sub.sendRaw(encodeCommand(['SSUBSCRIBE', CH_100]));
        await pushes(sub, 2);
        const del = formatReply(await admin.call('CLUSTER', 'DELSLOTS', '201'));
        const got = await pushes(sub, 1);
        await noMorePush(sub);
        results[s.kind] = [del, ...got];
      }
      assert.deepEqual(results.cinnabar, results.redis);
    } finally {
      for (const c of subs) c.destroy();
      await pair.close();
    }
  });

  test('SELECT, MULTI/EXEC with ASK, INFO cluster and errorstats', async () => {
    const { pair, ours, theirs } = await startNodes(threeNodeConf());
    const second: RespClient[] = [];
    try {
      const normalize = portNormalizer(ours.port, theirs.port);
      const check = (cmds: Parameters<DiffPair['check']>[0]) => pair.check(cmds, { normalize });
      const MIG = '{' + keyInSlot(101, 'm') + '}';
      const THEIRS = keyInSlot(6001);
      await check([
        ['CONFIG', 'RESETSTAT'],
        ['SELECT', '0'],
        ['SELECT', '1'],
        ['SELECT', '-1'],
        ['SELECT', 'x'],
        ['SET', `${MIG}1`, 'a'],
        ['CLUSTER', 'SETSLOT', '101', 'MIGRATING', ID_B],
        // A queued command asked away: EXEC aborts.
        ['MULTI'],
        ['GET', `${MIG}1`],
        ['GET', `${MIG}2`],
        ['EXEC'],
        // Queued while the key is here; it leaves before EXEC.
        ['MULTI'],
        ['GET', `${MIG}1`],
      ]);
      for (const s of [ours, theirs]) {
        const c = await s.client();
        second.push(c);
        assert.equal(formatReply(await c.call('DEL', `${MIG}1`)), formatReply({ t: 'int', v: 1n }));
      }
      await check([
        ['EXEC'],
        ['EXEC'],
        ['GET', THEIRS],
        ['MGET', THEIRS, `${MIG}1`],
        ['INFO', 'errorstats'],
        ['INFO', 'cluster'],
      ]);
    } finally {
      for (const c of second) c.destroy();
      await pair.close();
    }
  });
});
