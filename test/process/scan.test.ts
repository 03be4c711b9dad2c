// The SCAN guarantee, against a running cinnabar-server: a key present from the
// start to the end of a full iteration is returned at least once, however the
// keyspace changes meanwhile (keys added, keys deleted, freed positions reused). Also
// SCAN's TYPE and MATCH filters on a mixed keyspace.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { rngFromEnv } from '../helpers/random.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

const STABLE = 10000;

interface ScanResult {
  keys: string[];
  rounds: number;
}

async function scanOnce(c: RespClient, cursor: string, opts: string[]): Promise<{ cursor: string; keys: string[] }> {
  const r = await c.call('SCAN', cursor, ...opts);
  if (r.t !== 'array' || r.v === null || r.v.length !== 2) throw new Error(`bad SCAN reply ${JSON.stringify(r)}`);
  const [cur, arr] = r.v as [Reply, Reply];
  if (cur.t !== 'bulk' || cur.v === null || arr.t !== 'array' || arr.v === null) throw new Error('bad SCAN reply shape');
  return { cursor: cur.v, keys: arr.v.map((k) => (k as { v: string }).v) };
}

async function fullScan(c: RespClient, opts: string[] = [], onRound?: () => Promise<void>): Promise<ScanResult> {
  let cursor = '0';
  const keys: string[] = [];
  let rounds = 0;
  do {
    const step = await scanOnce(c, cursor, opts);
    cursor = step.cursor;
    for (const k of step.keys) keys.push(k);
    rounds++;
    if (onRound) await onRound();
    if (rounds > 1_000_000) throw new Error('SCAN does not terminate');
  } while (cursor !== '0');
  return { keys, rounds };
}

async function pipelineChunks(c: RespClient, cmds: string[][], chunk = 2000): Promise<void> {
  for (let i = 0; i < cmds.length; i += chunk) {
    const replies = await c.pipeline(cmds.slice(i, i + chunk));
    for (const r of replies) if (r.t === 'err') throw new Error(`setup command failed: ${r.v}`);
  }
}

describe('SCAN process tests', () => {
  let srv: ServerHandle;
  let scanner: RespClient;
  let mutator: RespClient;

  before(async () => {
    srv = await startCinnabar();
    scanner = await srv.client();
    mutator = await srv.client();
  });
  after(async () => {
    await srv?.stop();
  });

  for (const layout of ['interleaved', 'tail'] as const) {
    test(`SCAN guarantee with concurrent adds and deletes (${layout} deletions)`, async () => {
      await scanner.call('FLUSHALL');
      // 10,000 keys that stay, and 3,000 that another connection deletes during the scan:
      // either interleaved with the stable keys (freeing positions all over the array) or
      // all after them (so the position array shrinks from its end).
      const DOOMED = 3000;
      const setup: string[][] = [];
      if (layout === 'interleaved') {
        let d = 0;
        for (let i = 0; i < STABLE; i++) {
          setup.push(['SET', `stable:${i}`, 'v']);
          if (i % 3 === 0 && d < DOOMED) setup.push(['SET', `doomed:${d++}`, 'v']);
        }
        while (d < DOOMED) setup.push(['SET', `doomed:${d++}`, 'v']);
      } else {
        for (let i = 0; i < STABLE; i++) setup.push(['SET', `stable:${i}`, 'v']);
        for (let d = 0; d < DOOMED; d++) setup.push(['SET', `doomed:${d}`, 'v']);
      }
      await pipelineChunks(mutator, setup);
      assert.deepEqual(await scanner.call('DBSIZE'), { t: 'int', v: BigInt(STABLE + DOOMED) });

      // The mutator runs small batches of "add a new key, delete a doomed key", paced
      // with the scanner's rounds, until the scan ends or it has added ADDS keys (an
      // unbounded stream of additions could keep a SCAN from ever finishing, in Redis
      // too). Deletions go from the end backwards for the tail layout so the position
      // array shrinks from its end while the scan runs.
      const ADDS = 3000;
      // Interleaved: doomed keys are deleted in a random order, so some are deleted
      // before the scan reaches them and some after, and freed positions are reused by new
      // keys both behind and ahead of the cursor.
      const order = Array.from({ length: DOOMED }, (_, i) => (layout === 'tail' ? DOOMED - 1 - i : i));
      if (layout === 'interleaved') rngFromEnv('scan interleaved deletions').shuffle(order);
      let done = false;
      let added = 0;
      let deleted = 0;
      let batches = 0;
      const mutate = (async () => {
        while (!done && (added < ADDS || deleted < DOOMED)) {
          const batch: string[][] = [];
          if (added < ADDS) batch.push(['SET', `new:${added++}`, 'v']);
          if (deleted < DOOMED) batch.push(['DEL', `doomed:${order[deleted++]}`]);
          await mutator.pipeline(batch);
          batches++;
          // let the scanner run a step in between
          await new Promise((r) => setImmediate(r));
        }
      })();
      let res: ScanResult;
      try {
        // A small COUNT makes the scan long enough for the mutations to interleave.
        res = await fullScan(scanner, ['COUNT', '5'], () => new Promise((r) => setImmediate(r)));
      } finally {
        done = true;
        await mutate;
      }

      const returned = new Set(res.keys);
      let stableSeen = 0;
      const missing: string[] = [];
      for (let i = 0; i < STABLE; i++) {
        if (returned.has(`stable:${i}`)) stableSeen++;
        else missing.push(`stable:${i}`);
      }
      let newSeen = 0;
      let doomedSeen = 0;
      for (const k of returned) {
        if (k.startsWith('new:')) newSeen++;
        else if (k.startsWith('doomed:')) doomedSeen++;
      }
      const duplicates = res.keys.length - returned.size;
      console.log(
        `# SCAN (${layout}): ${res.rounds} rounds, ${res.keys.length} keys returned (${duplicates} duplicates); ` +
          `stable ${stableSeen}/${STABLE}; concurrently added ${added} (${newSeen} returned), ` +
          `deleted ${deleted}/${DOOMED} (${doomedSeen} returned); ${batches} mutation batches`,
      );
      assert.ok(batches > 1000 && deleted > 1000, `the mutations did not interleave with the scan (${batches} batches)`);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} stable keys never returned`);
      assert.equal(stableSeen, STABLE);
      // Nothing that never existed is returned.
      for (const k of returned) assert.ok(/^(stable|doomed|new):\d+$/.test(k), `unexpected key ${k}`);
    });
  }

  test('SCAN with deletions and re-additions of the same names keeps the guarantee', async () => {
    await scanner.call('FLUSHALL');
    // 5,000 churn keys spread among the 10,000 stable ones; another connection deletes
    // and re-creates random churn keys all through the scan.
    const CHURN = 5000;
    const setup: string[][] = [];
    for (let i = 0; i < STABLE; i++) {
      setup.push(['SET', `s${i}`, 'v']);
      if (i % 2 === 0) setup.push(['SET', `churn${i >> 1}`, 'v']);
    }
    await pipelineChunks(mutator, setup);
    const rng = rngFromEnv('scan churn');
    const present = new Array<boolean>(CHURN).fill(true);
    let done = false;
    let ops = 0;
    const churn = (async () => {
      while (!done) {
        const batch: string[][] = [];
        for (let j = 0; j < 4; j++) {
          const k = rng.int(CHURN);
          batch.push(present[k] ? ['DEL', `churn${k}`] : ['SET', `churn${k}`, 'v']);
          present[k] = !present[k];
        }
        await mutator.pipeline(batch);
        ops += batch.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    let res: ScanResult;
    try {
      res = await fullScan(scanner, ['COUNT', '7'], () => new Promise((r) => setImmediate(r)));
    } finally {
      done = true;
      await churn;
    }
    const returned = new Set(res.keys);
    let seen = 0;
    for (let i = 0; i < STABLE; i++) if (returned.has(`s${i}`)) seen++;
    console.log(`# SCAN with churn: ${res.rounds} rounds, ${ops} churn operations, stable ${seen}/${STABLE}`);
    assert.ok(ops > 1000, `only ${ops} churn operations ran during the scan`);
    assert.equal(seen, STABLE);
  });

  test('SCAN with TYPE and MATCH on a mixed keyspace', async () => {
    await scanner.call('FLUSHALL');
    const expected: Record<string, Set<string>> = { string: new Set(), list: new Set(), set: new Set(), zset: new Set(), hash: new Set() };
    const setup: string[][] = [];
    for (let i = 0; i < 2000; i++) {
      const group = i % 2 === 0 ? 'even' : 'odd';
      switch (i % 5) {
        case 0:
          setup.push(['SET', `${group}:str:${i}`, 'v']);
          expected.string.add(`${group}:str:${i}`);
          break;
        case 1:
          setup.push(['RPUSH', `${group}:list:${i}`, 'a', 'b']);
          expected.list.add(`${group}:list:${i}`);
          break;
        case 2:
          setup.push(['SADD', `${group}:set:${i}`, 'a']);
          expected.set.add(`${group}:set:${i}`);
          break;
        case 3:
          setup.push(['ZADD', `${group}:zset:${i}`, '1', 'a']);
          expected.zset.add(`${group}:zset:${i}`);
          break;
        default:
          setup.push(['HSET', `${group}:hash:${i}`, 'f', 'v']);
          expected.hash.add(`${group}:hash:${i}`);
      }
    }
    // keys that expire before the scan are never returned
    for (let i = 0; i < 200; i++) setup.push(['SET', `even:str:gone${i}`, 'v', 'PX', '1']);
    await pipelineChunks(mutator, setup);
    await new Promise((r) => setTimeout(r, 20));

    const all = new Set<string>();
    for (const s of Object.values(expected)) for (const k of s) all.add(k);
    const check = async (opts: string[], want: Set<string>): Promise<void> => {
      const res = await fullScan(scanner, opts);
      const got = new Set(res.keys);
      assert.equal(got.size, res.keys.length, `SCAN ${opts.join(' ')} returned duplicates`);
      assert.deepEqual([...got].sort(), [...want].sort(), `SCAN ${opts.join(' ')}`);
      console.log(`# SCAN ${opts.join(' ') || '(no options)'}: ${got.size} keys in ${res.rounds} rounds`);
    };
    const filter = (s: Set<string>, re: RegExp): Set<string> => new Set([...s].filter((k) => re.test(k)));

    await check([], all);
    await check(['COUNT', '100'], all);
    for (const t of ['string', 'list', 'set', 'zset', 'hash']) await check(['TYPE', t], expected[t]);
    await check(['TYPE', 'LIST', 'COUNT', '50'], expected.list);
    await check(['TYPE', 'stream'], new Set());
    await check(['TYPE', 'nosuchtype'], new Set());
    await check(['MATCH', 'even:*'], filter(all, /^even:/));
    await check(['MATCH', '*:set:*'], expected.set);
    await check(['MATCH', 'odd:*', 'TYPE', 'hash'], filter(expected.hash, /^odd:/));
    await check(['MATCH', '*:1?', 'COUNT', '3'], filter(all, /:1.$/));
    await check(['MATCH', 'even:str:[0-4]*', 'TYPE', 'string'], filter(expected.string, /^even:str:[0-4]/));
    await check(['MATCH', 'nomatch*'], new Set());
    assert.deepEqual(await scanner.call('SCAN', '0', 'COUNT', '0'), { t: 'err', v: 'ERR syntax error' });
    assert.deepEqual(await scanner.call('SCAN', 'abc'), { t: 'err', v: 'ERR invalid cursor' });
    // a cursor past the end finishes the iteration
    assert.deepEqual(await scanner.call('SCAN', '999999999'), { t: 'array', v: [{ t: 'bulk', v: '0' }, { t: 'array', v: [] }] });
  });
});
