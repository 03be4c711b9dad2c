// Fuzz target: FUNCTION RESTORE (issue 15, bad input). Valid FUNCTION DUMP payloads
// (one raw library, one LZF-compressed, several records) are mutated byte-wise, the
// checksum recomputed 9 times in 10 so the mutation reaches the reader and the Lua
// compiler. In process, each must answer +OK or a Redis error, never an internal
// error, and every function a payload left behind must run (its own errors are
// fine). Against redis-server, the same payloads get the same replies and leave the
// same libraries. Seeded: the seed is printed, CINNABAR_SEED replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixCrc64, fuzzReport, fuzzRun, harness, mutate, mutationArb } from '../helpers/fuzz.js';
import { skipIfNoRedis, startCinnabar, startRedis } from '../helpers/servers.js';
import { formatReply, type Reply } from '../../src/protocol/resp-client.js';

const LIBS = [
  "#!lua name=small\nredis.register_function('s1', function(keys, args) return {keys[1], args[1]} end)",
  "#!lua name=big\nlocal t = {}\nfor i = 1, 5 do t[i] = 'item' .. i end\n" +
    "redis.register_function{function_name='b1', callback=function() return table.concat(t, ',') .. '" + 'xyz'.repeat(40) + "' end, flags={'no-writes'}, description='a long one'}\n" +
    "redis.register_function('b2', function(keys) return redis.call('incr', keys[1] or 'ctr') end)",
  "#!lua name=third\nredis.register_function('t1', function() return 3 end)",
];

/** FUNCTION DUMP payloads of a few library sets (taken from an in-process server: byte for byte redis-server's). */
function basePayloads(): Buffer[] {
  const h = harness();
  const out: Buffer[] = [];
  for (const set of [[0], [1], [0, 1, 2]]) {
    h.run('FUNCTION', 'FLUSH');
    for (const i of set) assert.match(h.run('FUNCTION', 'LOAD', LIBS[i]), /^\$/);
    const r = h.run('FUNCTION', 'DUMP');
    const m = /^\$(\d+)\r\n/.exec(r)!;
    out.push(Buffer.from(r.slice(m[0].length, m[0].length + Number(m[1])), 'latin1'));
  }
  return out;
}

const BASE = basePayloads();

const payloadArb = fc
  .tuple(fc.integer({ min: 0, max: BASE.length - 1 }), fc.array(mutationArb(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 9 }))
  .map(([i, ms, crcRoll]) => {
    const src = BASE[i];
    const p = mutate(src, ms, 0, src.length - 10);
    return crcRoll === 0 ? p : fixCrc64(p);
  });

const POLICY = fc.constantFrom('APPEND', 'REPLACE', 'FLUSH');

test('fuzz: FUNCTION RESTORE of mutated payloads: OK or a Redis error, and what loaded runs', () => {
  const { seed, numRuns } = fuzzRun('function-restore', 400);
  const counts = { runs: 0, restored: 0, checksum: 0, notFunction: 0, payload: 0, compile: 0, register: 0, other: 0, calls: 0 };
  const h = harness();
  fc.assert(
    fc.property(payloadArb, POLICY, (p, policy) => {
      counts.runs++;
      h.run('FUNCTION', 'FLUSH');
      // One library in place, so APPEND and REPLACE meet a collision now and then.
      h.run('FUNCTION', 'LOAD', LIBS[2]);
      const r = h.run('FUNCTION', 'RESTORE', p.toString('latin1'), policy);
      assert.match(r, /^(\+OK\r\n$|-ERR )/, r);
      if (r === '+OK\r\n') counts.restored++;
      else if (r.includes('checksum')) counts.checksum++;
      else if (r.includes('given type is not a function')) counts.notFunction++;
      else if (r.includes('library payload')) counts.payload++;
      else if (r.includes('Error compiling')) counts.compile++;
      else if (r.includes('Error registering') || r.includes('metadata') || r.includes('exists') || r.includes('No functions')) counts.register++;
      else counts.other++;
      assert.doesNotMatch(r, /internal error/i);
      // Every function left behind runs: its reply may be an error of its own, never ours.
      const list = h.run('FUNCTION', 'LIST');
      for (const m of list.matchAll(/\$4\r\nname\r\n\$\d+\r\n([^\r]*)\r\n/g)) {
        const x = h.run('FCALL', m[1], '1', 'k', 'a');
        counts.calls++;
        assert.doesNotMatch(x, /internal error/i);
      }
      assert.deepEqual(h.log.crashes(), []);
    }),
    { seed, numRuns },
  );
  fuzzReport('function-restore', counts);
  assert.ok(counts.restored > 0 && counts.checksum > 0 && counts.compile + counts.register + counts.payload > 0, 'the outcomes reached');
});

test('fuzz: the same mutated payloads get the same replies and libraries from redis-server', { skip: skipIfNoRedis() }, async () => {
  const { seed, numRuns } = fuzzRun('function-restore-diff', 120);
  const samples = fc.sample(fc.tuple(payloadArb, POLICY), { seed, numRuns });
  const [ours, theirs] = await Promise.all([startCinnabar(), startRedis()]);
  try {
    const o = await ours.client();
    const t = await theirs.client();
    const both = async (...args: string[]): Promise<[string, string]> => {
      const [a, b] = await Promise.all([o.call(...args), t.call(...args)]);
      return [formatReply(a), formatReply(b)];
    };
    // FUNCTION LIST WITHCODE with the libraries and each one's functions sorted by name
    // (Redis's order is its hash tables').
    const canon = (r: Reply): string => {
      if (r.t !== 'array' || r.v === null) return formatReply(r);
      const libs = r.v.map((lib) => {
        if (lib.t !== 'array' || lib.v === null) return formatReply(lib);
        return lib.v
          .map((x) => (x.t === 'array' && x.v !== null ? x.v.map((f) => formatReply(f)).sort().join(' | ') : formatReply(x)))
          .join(' ');
      });
      return libs.sort().join('\n');
    };
    let same = 0;
    for (let i = 0; i < samples.length; i++) {
      const [p, policy] = samples[i];
      await both('FUNCTION', 'FLUSH');
      await both('FUNCTION', 'LOAD', LIBS[2]);
      const [a, b] = await both('FUNCTION', 'RESTORE', p.toString('latin1'), policy);
      assert.equal(a, b, `sample ${i} (seed ${seed}): FUNCTION RESTORE <${p.toString('hex')}> ${policy}`);
      const [la, lb] = await Promise.all([o.call('FUNCTION', 'LIST', 'WITHCODE'), t.call('FUNCTION', 'LIST', 'WITHCODE')]);
      assert.equal(canon(la), canon(lb), `sample ${i}: FUNCTION LIST after the restore`);
      same++;
    }
    assert.equal(formatReply(await o.call('PING')), '+PONG');
    assert.equal(formatReply(await t.call('PING')), '+PONG');
    console.log(`# fuzz [function-restore-diff] ${same} payloads: the same replies and libraries on both servers`);
  } finally {
    await Promise.all([ours.stop(), theirs.stop()]);
  }
});
