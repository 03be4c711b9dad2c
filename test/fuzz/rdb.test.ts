// Fuzz target: RDB files. A file holding every type and encoding (EVERY_TYPE, in two
// databases, with expires) is mutated byte-wise and structurally, its checksum
// recomputed 9 times in 10 so the mutation reaches the decoders, and loaded into an
// in-process server as the start-up load does (scratch databases, swapped in on
// success). Each load either succeeds or throws RdbError with a message (what the
// server logs before refusing to start); any other exception is a crash. A
// successful load keeps nothing of the old keyspace, and every key it produced is
// then used by every command of its type. Extends test/unit/rdb.test.ts (byte flips
// on the decoder alone) with structural mutations, the server's load path and the
// commands that run on what was loaded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EVERY_TYPE, fixCrc64, fuzzReport, fuzzRun, harness, mutate, mutationArb, useEveryKey } from '../helpers/fuzz.js';
import { loadRdbBuffer, writeRdbSnapshot } from '../../src/persistence/persistence.js';
import { RdbError } from '../../src/persistence/rdb.js';

function fileOfEveryType(): Buffer {
  const h = harness();
  for (const argv of EVERY_TYPE) h.run(...argv);
  h.run('SELECT', '1');
  for (const argv of EVERY_TYPE) h.run(...argv);
  h.run('SELECT', '0');
  const chunks: Buffer[] = [];
  writeRdbSnapshot(h.s, (c) => chunks.push(Buffer.from(c)));
  return Buffer.concat(chunks);
}

test('fuzz: mutated RDB files of every type: refused with RdbError or loaded whole, and usable', () => {
  const good = fileOfEveryType();
  const { seed, numRuns } = fuzzRun('rdb', 250);
  const counts = { runs: 0, loaded: 0, refused: 0, refusedChecksum: 0, keysUsed: 0 };
  const kinds = new Map<string, number>();
  const h = harness();
  fc.assert(
    fc.property(fc.array(mutationArb(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 9 }), (ms, crcRoll) => {
      counts.runs++;
      // The 9-byte header and the checksum stay where they are; everything between is fair game.
      const m = mutate(good, ms, 9, good.length - 8);
      const file = crcRoll === 0 ? m : fixCrc64(m);
      h.run('FLUSHALL');
      h.run('SET', 'before-the-load', '1');
      try {
        loadRdbBuffer(h.s, file);
      } catch (e) {
        assert.ok(e instanceof RdbError, `not an RdbError: ${(e as Error).stack}`);
        assert.ok(e.message.length > 0);
        counts.refused++;
        if (/checksum/i.test(e.message)) counts.refusedChecksum++;
        const kind = e.message.replace(/[0-9]+/g, 'N').replace(/'[^']*'/g, "'…'").slice(0, 60);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        assert.equal(h.run('GET', 'before-the-load'), '$1\r\n1\r\n', 'a refused load leaves the keyspace as it was');
        return;
      }
      counts.loaded++;
      assert.equal(h.run('EXISTS', 'before-the-load'), ':0\r\n', 'a load replaces the keyspace');
      counts.keysUsed += h.s.ks.dbs[0].size;
      for (const r of useEveryKey(h)) assert.doesNotMatch(r, /internal error/i);
      assert.deepEqual(h.log.crashes(), []);
    }),
    { seed, numRuns },
  );
  fuzzReport('rdb', counts);
  fuzzReport('rdb refusals', Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k.replace(/ /g, '_'), v])));
  assert.ok(counts.loaded > 0 && counts.refused > 0, 'both outcomes reached');
});
