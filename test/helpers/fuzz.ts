/**
 * Shared scaffolding of the fuzz targets (test/fuzz/): the seed and the budget, the
 * byte-level mutations of a valid input, an in-process server with a fake client, and
 * the "use every key" pass that runs the read and write paths of each type over
 * whatever a loader accepted.
 *
 * Seed: CINNABAR_SEED when set (replay), else a fresh random one; always printed.
 * Budget: each target's CI run count times CINNABAR_FUZZ_SCALE (default 1;
 * `npm run fuzz` sets 25).
 */
import fc from 'fast-check';
import { createServer } from '../../src/compose/compose.js';
import { Config } from '../../src/config/config.js';
import { Logger, type LogLevel } from '../../src/server/log.js';
import type { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { Crc64 } from '../../src/persistence/crc64.js';

export interface FuzzRun {
  seed: number;
  numRuns: number;
}

/** The seed and run count of a target, printed with the replay command. */
export function fuzzRun(target: string, ciRuns: number): FuzzRun {
  const env = process.env['CINNABAR_SEED'];
  const seed = env !== undefined && env.trim() !== '' ? Number(env) | 0 : (Math.random() * 0x7fffffff) | 0;
  const scale = Number(process.env['CINNABAR_FUZZ_SCALE'] ?? 1) || 1;
  const numRuns = Math.max(1, Math.round(ciRuns * scale));
  console.log(`# fuzz [${target}]: seed ${seed}, ${numRuns} runs (replay: CINNABAR_SEED=${seed})`);
  return { seed, numRuns };
}

/** Prints a target's counts: `# fuzz [target] runs=.. loaded=.. refused=..`. */
export function fuzzReport(target: string, counts: Record<string, number>): void {
  console.log(`# fuzz [${target}] ${Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** One edit of a byte string; positions are taken modulo its length. */
export type Mutation =
  | { op: 'set'; at: number; byte: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number }
  | { op: 'dup'; at: number; n: number }
  | { op: 'truncate'; at: number };

/** Bytes that matter to the decoders: length prefixes, type bytes, RESP markers. */
const INTERESTING = [0, 1, 0x7f, 0x80, 0xc0, 0xc1, 0xc2, 0xc3, 0xfe, 0xff, 13, 10, 42, 36, 45, 48, 57];

export function mutationArb(): fc.Arbitrary<Mutation> {
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...INTERESTING));
  return fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte }),
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  );
}

/** Applies `muts` to bytes [from, to) of `b` (the rest, a header or a footer, kept); returns a new buffer. */
export function mutate(b: Uint8Array, muts: Mutation[], from = 0, to = b.length): Buffer {
  let body = Buffer.from(b.subarray(from, to));
  for (const m of muts) {
    const n = body.length;
    const at = n === 0 ? 0 : m.at % n;
    switch (m.op) {
      case 'set':
        if (n > 0) body[at] = m.byte;
        break;
      case 'flip':
        if (n > 0) body[at] ^= 1 << m.bit;
        break;
      case 'insert':
        body = Buffer.concat([body.subarray(0, at), m.bytes, body.subarray(at)]);
        break;
      case 'delete':
        body = Buffer.concat([body.subarray(0, at), body.subarray(at + m.n)]);
        break;
      case 'dup':
        body = Buffer.concat([body.subarray(0, at + m.n), body.subarray(at, at + m.n), body.subarray(at + m.n)]);
        break;
      case 'truncate':
        body = body.subarray(0, at);
        break;
    }
  }
  return Buffer.concat([b.subarray(0, from), body, b.subarray(to)]);
}

/** Rewrites the 8-byte little-endian CRC64 at the end of `b` to match what precedes it (so a mutation reaches the decoder). */
export function fixCrc64(b: Buffer): Buffer {
  if (b.length >= 8) new Crc64().update(b, 0, b.length - 8).writeLE(b, b.length - 8);
  return b;
}

/** A logger that keeps warnings: an exception a command handler or a loader caught shows here. */
export class FuzzLogger extends Logger {
  warnings: string[] = [];
  override log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (level === 'warning') this.warnings.push(msg);
  }
  /** Warnings that can only come from an exception in our code. */
  crashes(): string[] {
    return this.warnings.filter((w) => /Internal error|internal error|Error loading the append only file|TypeError|RangeError|ReferenceError/.test(w));
  }
}

/** An in-process server (no listener) and a fake client whose replies `run` returns. */
export interface Harness {
  s: Server;
  log: FuzzLogger;
  run(...argv: string[]): string;
}

export function harness(extra: Record<string, string> = {}): Harness {
  const cfg = new Config();
  cfg.set('save', ['']);
  for (const [k, v] of Object.entries(extra)) cfg.set(k, [v]);
  const log = new FuzzLogger();
  const s = createServer(cfg, log);
  const c = new Client(s, null, s.ks.dbs[0], 1);
  return {
    s,
    log,
    run(...argv: string[]): string {
      c.out = '';
      s.processCommand(c, argv);
      return c.out;
    },
  };
}

/** Commands that create a key of every type in each of its encodings (DUMP/RDB sources). */
export const EVERY_TYPE: string[][] = [
  ['SET', 'str', 'hello'],
  ['SET', 'int', '-1234567'],
  ['SET', 'raw', 'r'.repeat(60)],
  ['SET', 'lzf', 'abc'.repeat(200)],
  ['PFADD', 'hll', 'a', 'b', 'c'],
  ['RPUSH', 'list', 'a', '1', 'bb', '-7'],
  ['RPUSH', 'qlist', ...Array.from({ length: 300 }, (_, i) => `item-${i % 37}`)],
  ['SADD', 'intset', '1', '2', '-3', '1000000'],
  ['SADD', 'lpset', 'a', 'b', 'c'],
  ['SADD', 'htset', ...Array.from({ length: 200 }, (_, i) => `m${i}`)],
  ['ZADD', 'zlp', '1', 'a', '2.5', 'b', '-inf', 'c'],
  ['ZADD', 'zsk', ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `z${i}`]).flat()],
  ['HSET', 'hlp', 'f', 'v', 'n', '12'],
  ['HSET', 'hht', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
  ['HSET', 'hlong', 'f', 'x'.repeat(100)],
  ['PEXPIRE', 'str', '100000000'],
];

/** Read and write commands that walk a key of each type (what a client would do with a restored or loaded key). */
function usesOf(type: string, k: string): string[][] {
  const common = [['OBJECT', 'ENCODING', k], ['DUMP', k], ['MEMORY', 'USAGE', k], ['DEBUG', 'DIGEST-VALUE', k], ['COPY', k, `${k}:copy`, 'REPLACE'], ['TTL', k]];
  switch (type) {
    case 'string':
      return [...common, ['GET', k], ['STRLEN', k], ['GETRANGE', k, '0', '-1'], ['PFCOUNT', k], ['INCR', k], ['APPEND', k, 'x'], ['SETRANGE', k, '3', 'yy']];
    case 'list':
      return [...common, ['LRANGE', k, '0', '-1'], ['LLEN', k], ['LINDEX', k, '-1'], ['LPOS', k, 'a'], ['LINSERT', k, 'BEFORE', 'a', 'n'], ['LSET', k, '0', 'z'], ['RPOP', k], ['LTRIM', k, '1', '-2']];
    case 'set':
      return [...common, ['SMEMBERS', k], ['SCARD', k], ['SISMEMBER', k, '1'], ['SRANDMEMBER', k, '-5'], ['SSCAN', k, '0'], ['SADD', k, 'new', '7'], ['SPOP', k], ['SREM', k, 'a']];
    case 'zset':
      return [...common, ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['ZCARD', k], ['ZRANGEBYSCORE', k, '-inf', '+inf'], ['ZRANGEBYLEX', k, '-', '+'], ['ZRANK', k, 'a'], ['ZSCORE', k, 'b'], ['ZSCAN', k, '0'], ['ZADD', k, '3', 'new'], ['ZINCRBY', k, '1', 'a'], ['ZPOPMIN', k]];
    case 'hash':
      return [...common, ['HGETALL', k], ['HLEN', k], ['HRANDFIELD', k, '-3', 'WITHVALUES'], ['HGET', k, 'f'], ['HSCAN', k, '0'], ['HSET', k, 'new', 'v'], ['HINCRBY', k, 'n', '1'], ['HDEL', k, 'f']];
    default:
      return common;
  }
}

/** Runs every use of every key of db 0, then SCAN, DEBUG DIGEST and a SAVE-format round trip (DUMP + RESTORE); returns the replies. */
export function useEveryKey(h: Harness): string[] {
  const out: string[] = [];
  const keys = [...h.s.ks.dbs[0].dict.keys()];
  for (const k of keys) {
    const t = /^\+(\w+)/.exec(h.run('TYPE', k))?.[1] ?? 'none';
    for (const argv of usesOf(t, k)) out.push(h.run(...argv));
    const dump = h.run('DUMP', k);
    const m = /^\$(\d+)\r\n/.exec(dump);
    if (m) out.push(h.run('RESTORE', `${k}:again`, '0', dump.slice(m[0].length, m[0].length + Number(m[1])), 'REPLACE'));
  }
  out.push(h.run('SCAN', '0', 'COUNT', '1000'), h.run('DEBUG', 'DIGEST'), h.run('DBSIZE'));
  return out;
}
