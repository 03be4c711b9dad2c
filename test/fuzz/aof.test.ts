// Fuzz target: AOF files. A multi-part AOF (an RDB-preamble base holding every type,
// then an incr file of commands on every type) is truncated or mutated and loaded as
// at start-up, with aof-load-truncated yes and no:
//  - truncated incr: with yes, the keyspace is exactly the base plus the complete
//    commands before the cut (DEBUG DIGEST against a replay); with no, a cut inside a
//    command refuses the load, a cut between commands loads;
//  - mutated base, incr or manifest (byte-wise and structurally): loaded or refused,
//    never an exception (the loader logs one as "Error loading the append only
//    file"), never keys left behind by a refused load;
// and whatever loaded is used by every command of its type. Extends
// test/unit/aof.test.ts's loader fuzz (incr-only files of SET/RPUSH/MULTI).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVERY_TYPE, fuzzReport, fuzzRun, harness, mutate, mutationArb, useEveryKey, type Harness } from '../helpers/fuzz.js';
import { writeRdbSnapshot } from '../../src/persistence/persistence.js';
import { loadAofAtStartup } from '../../src/persistence/aof.js';

const root = mkdtempSync(join(tmpdir(), 'cinnabar-aof-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));

function resp(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

/** Writes on every type after the base: each one a whole command of the incr file. */
const INCR: string[][] = [
  ['SELECT', '0'],
  ['APPEND', 'str', '-more'],
  ['INCRBY', 'int', '10'],
  ['LPUSH', 'list', 'x', 'y'],
  ['RPOP', 'qlist'],
  ['SADD', 'intset', '77'],
  ['SREM', 'htset', 'm1', 'm2'],
  ['ZADD', 'zlp', '9', 'd'],
  ['ZREM', 'zsk', 'z3'],
  ['HSET', 'hlp', 'g', 'w'],
  ['HDEL', 'hht', 'f0'],
  ['PFADD', 'hll', 'z'],
  ['SET', 'new', 'v', 'PX', '100000000'],
  ['SELECT', '3'],
  ['RPUSH', 'other-db', 'a'],
  ['SELECT', '0'],
  ['DEL', 'raw'],
];

const BASE = (() => {
  const h = harness();
  for (const argv of EVERY_TYPE) h.run(...argv);
  const chunks: Buffer[] = [];
  writeRdbSnapshot(h.s, (c) => chunks.push(Buffer.from(c)), true);
  return Buffer.concat(chunks);
})();
const INCR_TEXT = INCR.map(resp);
const INCR_BYTES = Buffer.from(INCR_TEXT.join(''), 'latin1');
/** Offsets where a command of the incr file ends (a cut there is not a truncation). */
const BOUNDS = INCR_TEXT.reduce<number[]>((a, t) => [...a, a[a.length - 1] + t.length], [0]);

function digestOf(h: Harness): string {
  return h.run('DEBUG', 'DIGEST');
}

/** The digest after the base and the first k incr commands, for every k. */
const EXPECTED = (() => {
  const h = harness();
  for (const argv of EVERY_TYPE) h.run(...argv);
  const out = [digestOf(h)];
  for (const argv of INCR) {
    h.run(...argv);
    out.push(digestOf(h));
  }
  return out;
})();

const MANIFEST = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

let n = 0;
/** Loads the three files as the start-up does; returns the server (AOF still on) and whether it loaded. */
function load(files: { manifest: Buffer | string; base: Buffer; incr: Buffer }, truncatedOk: boolean): { h: Harness; ok: boolean } {
  const dir = join(root, `run-${n++}`);
  const d = join(dir, 'appendonlydir');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'appendonly.aof.manifest'), files.manifest);
  writeFileSync(join(d, 'appendonly.aof.1.base.rdb'), files.base);
  writeFileSync(join(d, 'appendonly.aof.1.incr.aof'), files.incr);
  const h = harness({ dir, appendonly: 'yes', 'aof-load-truncated': truncatedOk ? 'yes' : 'no' });
  let ok = false;
  assert.doesNotThrow(() => {
    ok = loadAofAtStartup(h.s);
  });
  return { h, ok };
}

function dispose(h: Harness): void {
  h.s.config.set('appendonly', ['no']);
  h.s.close();
}

function totalKeys(h: Harness): number {
  return h.s.ks.dbs.reduce((a, db) => a + db.size, 0);
}

test('fuzz: a truncated AOF loads per aof-load-truncated, exactly up to the last whole command', () => {
  assert.equal(EXPECTED.length, INCR.length + 1);
  const { seed, numRuns } = fuzzRun('aof-truncated', 60);
  const counts = { runs: 0, loadedTruncated: 0, loadedAtBoundary: 0, refused: 0 };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: INCR_BYTES.length }), fc.boolean(), (cut, truncatedOk) => {
      counts.runs++;
      const { h, ok } = load({ manifest: MANIFEST, base: BASE, incr: INCR_BYTES.subarray(0, cut) }, truncatedOk);
      try {
        const whole = BOUNDS.lastIndexOf(BOUNDS.filter((b) => b <= cut).pop()!);
        if (BOUNDS.includes(cut) || truncatedOk) {
          assert.equal(ok, true, `cut at ${cut} (aof-load-truncated ${truncatedOk ? 'yes' : 'no'}) must load`);
          assert.equal(digestOf(h), EXPECTED[whole], `cut at ${cut}: the base and ${whole} commands`);
          if (BOUNDS.includes(cut)) counts.loadedAtBoundary++;
          else counts.loadedTruncated++;
        } else {
          assert.equal(ok, false, `cut at ${cut} inside a command with aof-load-truncated no must be refused`);
          assert.equal(totalKeys(h), 0);
          counts.refused++;
        }
        assert.deepEqual(h.log.crashes(), []);
      } finally {
        dispose(h);
      }
    }),
    { seed, numRuns },
  );
  fuzzReport('aof-truncated', counts);
});

test('fuzz: a mutated AOF (base, incr or manifest) is loaded or refused, never an exception', () => {
  const { seed, numRuns } = fuzzRun('aof-mutated', 150);
  const counts = { runs: 0, loaded: 0, refused: 0, base: 0, incr: 0, manifest: 0, commandsAfter: 0 };
  const part = fc.constantFrom('base' as const, 'incr' as const, 'manifest' as const);
  fc.assert(
    fc.property(part, fc.array(mutationArb(), { minLength: 1, maxLength: 4 }), fc.boolean(), (which, ms, truncatedOk) => {
      counts.runs++;
      counts[which]++;
      const files = {
        manifest: which === 'manifest' ? mutate(Buffer.from(MANIFEST, 'latin1'), ms) : MANIFEST,
        // The base keeps its checksum: a mutated one is refused by it or by the decoder.
        base: which === 'base' ? mutate(BASE, ms, 9) : BASE,
        incr: which === 'incr' ? mutate(INCR_BYTES, ms) : INCR_BYTES,
      };
      const { h, ok } = load(files, truncatedOk);
      try {
        if (ok) {
          counts.loaded++;
          const replies = useEveryKey(h);
          counts.commandsAfter += replies.length;
          for (const r of replies) assert.doesNotMatch(r, /internal error/i);
        } else {
          counts.refused++;
          assert.equal(totalKeys(h), 0, 'a refused load left keys behind');
        }
        assert.deepEqual(h.log.crashes(), []);
      } finally {
        dispose(h);
      }
    }),
    { seed, numRuns },
  );
  fuzzReport('aof-mutated', counts);
  assert.ok(counts.loaded > 0 && counts.refused > 0, 'both outcomes reached');
});
