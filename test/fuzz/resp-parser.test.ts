// Fuzz target: the request parser. Random byte strings and mutated valid frames
// (multibulk and inline, pipelined) are parsed whole, then split at every byte
// boundary (two feeds), then fed one byte at a time: each way must give the same
// commands and the same protocol error (or none). A throw that is not a
// ProtocolError is a crash. Extends test/unit/parser.test.ts, whose property covers
// valid frames only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestParser, ProtocolError } from '../../src/protocol/parser.js';
import { fuzzReport, fuzzRun, mutate, mutationArb } from '../helpers/fuzz.js';

function chunksOf(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

interface Outcome {
  cmds: string[][];
  error: string | null;
}

function parseFeeds(parts: Buffer[], authRequired: boolean): Outcome {
  const p = new RequestParser({ protoMaxBulkLen: 1024 * 1024, authRequired: () => authRequired });
  const cmds: string[][] = [];
  for (const part of parts) {
    p.feed(part);
    for (;;) {
      let c: string[] | null;
      try {
        c = p.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        return { cmds, error: e.message };
      }
      if (c === null) break;
      cmds.push(c);
    }
  }
  return { cmds, error: null };
}

/**
 * Same commands and same error. The one allowed difference is Redis's too: a header or
 * inline line past 64 KB is refused as "too big ..." when the reads so far hold no line
 * end, and parsed (by its content) when the line end came in the same read. Then the
 * commands before that line are the same.
 */
function assertSame(got: Outcome, want: Outcome, what: string): void {
  const tooBig = (o: Outcome): boolean => o.error !== null && o.error.startsWith('Protocol error: too big ');
  if (tooBig(got) !== tooBig(want)) {
    const [cut, full] = tooBig(got) ? [got, want] : [want, got];
    assert.deepEqual(full.cmds.slice(0, cut.cmds.length), cut.cmds, what);
    return;
  }
  assert.deepEqual(got, want, what);
}

const wireArg = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '-', ' ', '"', "'", '\\', '\r', '\n', '*', '$', '\x00', '\xff'), maxLength: 12 }),
  fc.string({ maxLength: 30 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
);
const command = fc.array(wireArg, { minLength: 1, maxLength: 12 });
const frame = fc.oneof(
  { weight: 3, arbitrary: command.map((c) => `*${c.length}\r\n${c.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`) },
  { weight: 1, arbitrary: fc.tuple(fc.array(fc.stringMatching(/^[A-Za-z0-9"' \\x]{0,12}$/), { minLength: 1, maxLength: 4 }), fc.constantFrom('\r\n', '\n')).map(([ws, eol]) => ws.join(' ') + eol) },
  { weight: 1, arbitrary: fc.constantFrom('*0\r\n', '*-1\r\n', '\r\n', '\n', '*1\r\n$0\r\n\r\n', '*2\r\n$3\r\nGET\r\n$-1\r\n', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab\r\n') },
);
const input = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(42, 36, 13, 10, 48, 49, 50, 45, 32, 34, 65), { maxLength: 80 }).map((a) => Buffer.from(a)) },
  { weight: 3, arbitrary: fc.tuple(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(mutationArb(), { maxLength: 3 })).map(([fs, ms]) => mutate(Buffer.from(fs.join(''), 'latin1'), ms)) },
);

test('fuzz: the RESP parser gives the same commands and error whatever the split', () => {
  const { seed, numRuns } = fuzzRun('resp-parser', 400);
  const counts = { inputs: 0, splits: 0, commands: 0, errors: 0, clean: 0 };
  const messages = new Map<string, number>();
  fc.assert(
    fc.property(input, fc.boolean(), (buf, unauth) => {
      counts.inputs++;
      const whole = parseFeeds([buf], unauth);
      counts.commands += whole.cmds.length;
      if (whole.error !== null) {
        counts.errors++;
        const kind = whole.error.replace(/got '[\s\S]*'$/, 'got …').replace(/^Protocol error: /, '').replace(/ /g, '_');
        messages.set(kind, (messages.get(kind) ?? 0) + 1);
        assert.match(whole.error, /^Protocol error: /);
      } else counts.clean++;
      for (let i = 0; i <= buf.length; i++) {
        counts.splits++;
        assertSame(parseFeeds([buf.subarray(0, i), buf.subarray(i)], unauth), whole, `split at ${i}`);
      }
      const bytes: Buffer[] = [];
      for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1));
      assertSame(parseFeeds(bytes, unauth), whole, 'one byte per feed');
    }),
    { seed, numRuns },
  );
  fuzzReport('resp-parser', counts);
  fuzzReport('resp-parser errors', Object.fromEntries(messages));
  assert.ok(counts.errors > 0 && counts.clean > 0 && counts.commands > 0, 'the inputs reach both outcomes');
});

test('fuzz: big bulk arguments (the dedicated-buffer path) split anywhere', () => {
  const { seed, numRuns } = fuzzRun('resp-parser-big', 30);
  let splits = 0;
  let tooBig = 0;
  fc.assert(
    fc.property(fc.integer({ min: 32 * 1024 - 4, max: 70 * 1024 }), fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), fc.array(mutationArb(), { maxLength: 2 }), (len, cuts, ms) => {
      const big = 'b'.repeat(len);
      const wire = mutate(Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${len}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`, 'latin1'), ms, 0, 40);
      const whole = parseFeeds([wire], false);
      if (parseFeeds(chunksOf(wire, 4093), false).error?.includes('too big') === true) tooBig++;
      for (const c of cuts) {
        const i = c % (wire.length + 1);
        splits++;
        assertSame(parseFeeds([wire.subarray(0, i), wire.subarray(i)], false), whole, `split at ${i}`);
      }
      assertSame(parseFeeds(chunksOf(wire, 4093), false), whole, '4093-byte feeds');
    }),
    { seed, numRuns },
  );
  fuzzReport('resp-parser-big', { runs: numRuns, splits, tooBigWhenFedInReads: tooBig });
});
