// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST.
//
// A HyperLogLog is a string value in Redis's own layout (types/hyperloglog.ts), so
// GET, DUMP/RESTORE, the RDB and replication carry it unchanged. As in Redis:
//  - PFCOUNT of one key stores the cardinality it computed in the value's header
//    cache, and that counts as a change (WATCH, dirty): the command is propagated to
//    the AOF and replicas, so they hold the same bytes. It is still a read-only
//    command, so a read-only replica answers it and updates its own copy;
//  - PFDEBUG GETREG/TODENSE convert a sparse value to dense and count as a change.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { ENC_BIG, ObjType, RObj } from '../types/object.js';
import { NOTIFY_STRING } from '../keyspace/notify.js';
import { lookupRead, lookupWrite } from './lookup.js';
import {
  ERR_INVALID_HLL,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllAdd,
  hllCachedCardOf,
  hllCheck,
  hllCount,
  hllCountRaw,
  hllCreate,
  hllDecodeSparse,
  hllDenseRegister,
  hllDenseRegisters,
  hllDenseWouldChange,
  hllEncoding,
  hllFromString,
  hllInvalidateCache,
  hllMerge,
  hllPatLen,
  hllRaise,
  hllSetCachedCard,
  hllSparseToDense,
  hllToString,
  type Hll,
  HLL_DENSE_SIZE,
} from '../types/hyperloglog.js';

function maxSparse(c: Client): number {
  return c.server.config.getNumber('hll-sparse-max-bytes');
}

/** isHLLObjectOrReply: true when `o` holds a HyperLogLog, else replies and false. */
function isHll(c: Client, o: RObj): boolean {
  const err = hllCheck(o.value as string);
  if (err === null) return true;
  c.addError(err);
  return false;
}

/** Stores the changed bytes back into the key's value (raw, as Redis's unshared sds). */
function store(o: RObj, h: Hll): void {
  o.value = hllToString(h);
  o.enc = ENC_BIG;
}

function pfaddCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const found = lookupWrite(c, key, ObjType.String);
  if (found === null) return;
  let o: RObj;
  let h: Hll;
  let updated = 0;
  if (found === undefined) {
    h = hllCreate();
    o = new RObj(ObjType.String, '', c.server.ks.initialLru());
    store(o, h);
    c.db.add(key, o);
    updated++;
  } else {
    if (!isHll(c, found)) return;
    o = found;
    const s = o.value as string;
    if (s.charCodeAt(4) === HLL_DENSE && !hllDenseWouldChange(s, argv, 2)) {
      c.addInt(0);
      return;
    }
    h = hllFromString(s);
  }
  const max = maxSparse(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j], max);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis changed the value in place up to here.
      store(o, h);
      c.addError(ERR_INVALID_HLL);
      return;
    }
  }
  if (updated > 0) {
    hllInvalidateCache(h);
    store(o, h);
    c.modified(key, NOTIFY_STRING, 'pfadd', updated);
  }
  c.addInt(updated > 0 ? 1 : 0);
}

function pfcountCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const o = lookupRead(c, argv[j], ObjType.String);
      if (o === null) return;
      if (o === undefined) continue; // an empty HLL
      if (!isHll(c, o)) return;
      if (!hllMerge(max, o.value as string)) {
        c.addError(ERR_INVALID_HLL);
        return;
      }
    }
    c.addInt(hllCountRaw(max));
    return;
  }
  const key = argv[1];
  const o = lookupRead(c, key, ObjType.String);
  if (o === null) return;
  if (o === undefined) {
    c.addInt(0);
    return;
  }
  if (!isHll(c, o)) return;
  let card = hllCachedCardOf(o.value as string);
  if (card < 0) {
    const h = hllFromString(o.value as string, 0);
    card = hllCount(h);
    if (card < 0) {
      c.addError(ERR_INVALID_HLL);
      return;
    }
    hllSetCachedCard(h, card);
    store(o, h);
    // The cache is part of the value: a change for WATCH and propagation.
    c.modified(key, 0, '');
  }
  c.addInt(card);
}

function pfmergeCommand(c: Client, argv: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const o = lookupRead(c, argv[j], ObjType.String);
    if (o === null) return;
    if (o === undefined) continue;
    if (!isHll(c, o)) return;
    if ((o.value as string).charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!hllMerge(max, o.value as string)) {
      c.addError(ERR_INVALID_HLL);
      return;
    }
  }
  const key = argv[1];
  const found = lookupWrite(c, key, ObjType.String);
  if (found === null) return;
  let o: RObj;
  let h: Hll;
  if (found === undefined) {
    h = hllCreate();
    o = new RObj(ObjType.String, '', c.server.ks.initialLru());
    store(o, h);
    c.db.add(key, o);
  } else {
    o = found;
    h = hllFromString(o.value as string);
  }
  // The destination is dense when one of the inputs was.
  if (useDense && !hllSparseToDense(h)) {
    c.addError(ERR_INVALID_HLL);
    return;
  }
  const limit = maxSparse(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] !== 0) hllRaise(h, j, max[j], limit);
  }
  hllInvalidateCache(h);
  store(o, h);
  c.modified(key, NOTIFY_STRING, 'pfadd');
  c.addOk();
}

function pfdebugCommand(c: Client, argv: string[]): void {
  const sub = argv[1];
  const key = argv[2];
  const o = lookupWrite(c, key, ObjType.String);
  if (o === null) return;
  if (o === undefined) {
    c.addError('ERR The specified key does not exist');
    return;
  }
  if (!isHll(c, o)) return;
  const h = hllFromString(o.value as string, 0);
  switch (sub.toLowerCase()) {
    case 'getreg': {
      if (hllEncoding(h) === HLL_SPARSE) {
        if (!hllSparseToDense(h)) {
          c.addError(ERR_INVALID_HLL);
          return;
        }
        store(o, h);
        c.server.dirty++; // propagate the encoding change
      }
      const regs = hllDenseRegisters(h);
      c.addArrayLen(regs.length);
      for (const v of regs) c.addInt(v);
      return;
    }
    case 'decode':
      if (hllEncoding(h) !== HLL_SPARSE) {
        c.addError('ERR HLL encoding is not sparse');
        return;
      }
      c.addBulk(hllDecodeSparse(h));
      return;
    case 'encoding':
      c.addSimple(hllEncoding(h) === HLL_DENSE ? 'dense' : 'sparse');
      return;
    case 'todense': {
      let conv = 0;
      if (hllEncoding(h) === HLL_SPARSE) {
        if (!hllSparseToDense(h)) {
          c.addError(ERR_INVALID_HLL);
          return;
        }
        store(o, h);
        conv = 1;
        c.server.dirty++;
      }
      c.addInt(conv);
      return;
    }
    default:
      c.addError(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

/** The self test's bound on dense-register round trips and on the estimate's error. */
const SELFTEST_REGISTER_ROUNDS = 10;
const SELFTEST_ELEMENTS = 1_000_000;
/** Elements also fed to a sparse HLL with no size limit, which must count as the dense one. */
const SELFTEST_SPARSE_ELEMENTS = 5000;

/**
 * PFSELFTEST: checks dense register access against a plain array, that a sparse
 * and a dense HLL fed the same elements agree (first 5000), and that the dense
 * estimate stays within 5 standard errors (Redis runs 10M elements; 1M here keeps
 * the command around a second).
 */
function pfselftestCommand(c: Client): void {
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const ref = new Uint8Array(HLL_REGISTERS);
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let round = 0; round < SELFTEST_REGISTER_ROUNDS; round++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = rand() & 63;
      ref[i] = v;
      hllDenseRegister.set(dense, i, v);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (hllDenseRegister.get(dense, i) !== ref[i]) {
        c.addError(`TESTFAILED Register error at ${i}`);
        return;
      }
    }
  }
  const sparse = hllCreate();
  const full = hllCreate();
  if (!hllSparseToDense(full)) {
    c.addError('TESTFAILED sparse to dense conversion');
    return;
  }
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  for (let j = 1; j <= SELFTEST_ELEMENTS; j++) {
    const ele = String(rand()) + ':' + j;
    if (j <= SELFTEST_SPARSE_ELEMENTS) hllAdd(sparse, ele, 1 << 30);
    hllAdd(full, ele, 1 << 30);
    if (j === checkpoint) {
      const b = hllCount(full);
      const a = j <= SELFTEST_SPARSE_ELEMENTS ? hllCount(sparse) : b;
      if (a !== b) {
        c.addError(`TESTFAILED dense/sparse disagree: ${b} != ${a}`);
        return;
      }
      const abserr = Math.abs(b - j);
      const maxerr = Math.ceil(relerr * 5 * j);
      if (j >= 10 && abserr > maxerr) {
        c.addError(`TESTFAILED Too big error. card:${b} abserr:${abserr}`);
        return;
      }
      checkpoint = checkpoint < 1000 ? checkpoint + 1 : checkpoint * 10;
    }
  }
  // Each element's register and value come from its hash alone.
  const p = hllPatLen('hello');
  if (p.index < 0 || p.index >= HLL_REGISTERS || p.count < 1 || p.count > 51) {
    c.addError('TESTFAILED pattern length out of range');
    return;
  }
  c.addOk();
}

export const COMMANDS: CommandSpec[] = [
  cmd('pfadd', -2, ['write', 'denyoom', 'fast'], [1, 1, 1], 'hyperloglog', ['write', 'hyperloglog', 'fast'], pfaddCommand, {
    since: '2.8.9',
    summary: 'Adds elements to a HyperLogLog key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) to add every element.',
  }),
  cmd('pfcount', -2, ['readonly'], [1, -1, 1], 'hyperloglog', ['read', 'hyperloglog', 'slow'], pfcountCommand, {
    since: '2.8.9',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    complexity:
      'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
  }),
  cmd('pfmerge', -2, ['write', 'denyoom'], [1, -1, 1], 'hyperloglog', ['write', 'hyperloglog', 'slow'], pfmergeCommand, {
    since: '2.8.9',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
  }),
  cmd('pfdebug', 3, ['write', 'denyoom', 'admin'], [2, 2, 1], 'hyperloglog', ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'], pfdebugCommand, {
    since: '2.8.9',
    summary: 'Internal commands for debugging HyperLogLog values.',
    complexity: 'N/A',
  }),
  cmd('pfselftest', 1, ['admin'], [0, 0, 0], 'hyperloglog', ['hyperloglog', 'admin', 'slow', 'dangerous'], pfselftestCommand, {
    since: '2.8.9',
    summary: 'An internal command for testing HyperLogLog values.',
    complexity: 'N/A',
  }),
];
