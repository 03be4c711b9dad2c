// Bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
//
// Bitmaps are string values; bit 0 is the most significant bit of byte 0. A bit
// write replaces only the affected byte (slice + char + slice), never rebuilds the
// value bit by bit. Offsets are limited by proto-max-bulk-len as in Redis (bit
// offset / 8 < proto-max-bulk-len, i.e. 2^32-1 with the default 512MB).

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { ENC_BIG, ObjType, RObj } from '../types/object.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify.js';
import { parseInt64, parseIntArg } from '../util/numbers.js';
import {
  ERR_NOT_INT,
  ERR_STRING_TOO_LONG,
  ERR_SYNTAX,
  MAX_JS_STRING,
  eqi,
  exactGreater,
  mustObey,
  protoMaxBulkLen,
  zeros,
} from './strings.js';
import { MISS_ZERO, lookupRead, lookupReadOrReply, lookupWrite } from './lookup.js';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/**
 * getBitOffsetFromArgument: a non-negative bit offset, "#n" meaning n*bits when
 * `bits` > 0 (BITFIELD). Replies and returns -1 when invalid or out of range.
 */
function getBitOffset(c: Client, s: string, bits: number): number {
  const usehash = bits > 0 && s.charCodeAt(0) === 35; /* # */
  const str = usehash ? s.slice(1) : s;
  let v: number;
  if (str.length <= 15) {
    const n = parseIntArg(str);
    if (n === null) {
      c.addError(ERR_BIT_OFFSET);
      return -1;
    }
    v = usehash ? n * bits : n; // |n| < 1e15, bits <= 64: exact
  } else {
    const b = parseInt64(str);
    if (b === null) {
      c.addError(ERR_BIT_OFFSET);
      return -1;
    }
    // Redis multiplies in a signed 64-bit integer: emulate the wrap-around.
    v = Number(usehash ? BigInt.asIntN(64, b * BigInt(bits)) : b);
  }
  if (v < 0 || (!mustObey(c) && Math.floor(v / 8) >= protoMaxBulkLen(c))) {
    c.addError(ERR_BIT_OFFSET);
    return -1;
  }
  return v;
}

/** Set by lookupStringForBit: the key was created or the string grown. */
let bitGrown = false;

/**
 * lookupStringForBitCommand: the string at `key`, created or zero-padded so that
 * bit `maxbit` exists. Replies and returns undefined on WRONGTYPE (or when the
 * string would be too large for a JS string).
 */
function lookupStringForBit(c: Client, key: string, maxbit: number): RObj | undefined {
  const need = Math.floor(maxbit / 8) + 1;
  const o = lookupWrite(c, key, ObjType.String);
  bitGrown = false;
  if (o === null) return undefined;
  if (need > MAX_JS_STRING) {
    c.addError(ERR_STRING_TOO_LONG);
    return undefined;
  }
  if (o === undefined) {
    const n = new RObj(ObjType.String, zeros(need), c.server.ks.initialLru());
    n.enc = ENC_BIG;
    c.db.add(key, n);
    bitGrown = true;
    return n;
  }
  o.enc = ENC_BIG; // dbUnshareStringValue: always raw afterwards
  const s = o.value as string;
  if (s.length < need) {
    o.value = s + zeros(need - s.length);
    bitGrown = true;
  }
  return o;
}

// ---- SETBIT GETBIT ------------------------------------------------------------------------

function setbitCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const offset = getBitOffset(c, argv[2], 0);
  if (offset < 0) return;
  const on = parseIntArg(argv[3]);
  if (on === null || (on !== 0 && on !== 1)) {
    c.addError(ERR_BIT_VALUE);
    return;
  }
  const o = lookupStringForBit(c, key, offset);
  if (o === undefined) return;
  const s = o.value as string;
  const byte = Math.floor(offset / 8);
  const shift = 7 - (offset % 8);
  const byteval = s.charCodeAt(byte);
  const bitval = (byteval >> shift) & 1;
  if (bitGrown || bitval !== on) {
    const nb = on ? byteval | (1 << shift) : byteval & ~(1 << shift);
    if (nb !== byteval) o.value = s.slice(0, byte) + String.fromCharCode(nb) + s.slice(byte + 1);
    c.modified(key, NOTIFY_STRING, 'setbit');
  }
  c.addInt(bitval);
}

function getbitCommand(c: Client, argv: string[]): void {
  const offset = getBitOffset(c, argv[2], 0);
  if (offset < 0) return;
  const o = lookupReadOrReply(c, argv[1], ObjType.String, MISS_ZERO);
  if (o === null) return;
  const s = o.value as string;
  const byte = Math.floor(offset / 8);
  if (byte >= s.length) {
    c.addInt(0);
    return;
  }
  c.addInt((s.charCodeAt(byte) >> (7 - (offset % 8))) & 1);
}

// ---- BITCOUNT BITPOS ----------------------------------------------------------------------

/** Number of set bits in the bit range [from, to] (inclusive) of s. */
function countBits(s: string, from: number, to: number): number {
  const b0 = Math.floor(from / 8);
  const b1 = Math.floor(to / 8);
  let count = 0;
  for (let i = b0; i <= b1; i++) count += POPCOUNT[s.charCodeAt(i)];
  // Remove the bits of the edge bytes outside the range.
  const headBits = from % 8; // leading bits of byte b0 to drop
  if (headBits) count -= POPCOUNT[s.charCodeAt(b0) & ~((1 << (8 - headBits)) - 1) & 0xff];
  const tailBits = 7 - (to % 8); // trailing bits of byte b1 to drop
  if (tailBits) count -= POPCOUNT[s.charCodeAt(b1) & ((1 << tailBits) - 1)];
  return count;
}

/** Parses the BYTE|BIT unit argument: 1 for BIT, 0 for BYTE, -1 for a syntax error. */
function parseUnit(s: string): number {
  if (eqi(s, 'bit')) return 1;
  if (eqi(s, 'byte')) return 0;
  return -1;
}

function bitcountCommand(c: Client, argv: string[]): void {
  const o = lookupReadOrReply(c, argv[1], ObjType.String, MISS_ZERO);
  if (o === null) return;
  const s = o.value as string;
  const strlen = s.length;
  const argc = argv.length;
  let start: number;
  let end: number;
  let isbit = false;
  if (argc === 4 || argc === 5) {
    const st = parseIntArg(argv[2]);
    if (st === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    const en = parseIntArg(argv[3]);
    if (en === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    start = st;
    end = en;
    if (argc === 5) {
      const u = parseUnit(argv[4]);
      if (u < 0) {
        c.addError(ERR_SYNTAX);
        return;
      }
      isbit = u === 1;
    }
    if (start < 0 && end < 0 && exactGreater(start, argv[2], end, argv[3])) {
      c.addInt(0);
      return;
    }
    const totlen = isbit ? strlen * 8 : strlen;
    if (start < 0) start = totlen + start;
    if (end < 0) end = totlen + end;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= totlen) end = totlen - 1;
  } else if (argc === 2) {
    start = 0;
    end = strlen - 1;
  } else {
    c.addError(ERR_SYNTAX);
    return;
  }
  if (start > end) {
    c.addInt(0);
    return;
  }
  c.addInt(isbit ? countBits(s, start, end) : countBits(s, start * 8, end * 8 + 7));
}

/** First bit equal to `bit` in the bit range [from, to] of s, or -1. */
function findBit(s: string, bit: number, from: number, to: number): number {
  const skip = bit ? 0 : 0xff; // a byte with no bit of interest
  let pos = from;
  // Leading partial byte.
  while (pos <= to && pos % 8 !== 0) {
    if (((s.charCodeAt(pos >>> 3) >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  // Whole bytes.
  const lastWhole = Math.floor((to + 1) / 8); // bytes [pos/8, lastWhole) are entirely in range
  let b = pos / 8;
  while (b < lastWhole) {
    const v = s.charCodeAt(b);
    if (v !== skip) {
      for (let k = 0; k < 8; k++) if (((v >> (7 - k)) & 1) === bit) return b * 8 + k;
    }
    b++;
  }
  pos = Math.max(pos, lastWhole * 8);
  // Trailing partial byte.
  while (pos <= to) {
    if (((s.charCodeAt(pos >>> 3) >> (7 - (pos & 7))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

function bitposCommand(c: Client, argv: string[]): void {
  const bit = parseIntArg(argv[2]);
  if (bit === null) {
    c.addError(ERR_NOT_INT);
    return;
  }
  if (bit !== 0 && bit !== 1) {
    c.addError('ERR The bit argument must be 1 or 0.');
    return;
  }
  const o = lookupRead(c, argv[1], ObjType.String);
  if (o === null) return;
  if (o === undefined) {
    // A missing key is an infinite run of zeros.
    c.addInt(bit ? -1 : 0);
    return;
  }
  const s = o.value as string;
  const strlen = s.length;
  const argc = argv.length;
  let start: number;
  let end: number;
  let isbit = false;
  let endGiven = false;
  if (argc === 4 || argc === 5 || argc === 6) {
    const st = parseIntArg(argv[3]);
    if (st === null) {
      c.addError(ERR_NOT_INT);
      return;
    }
    start = st;
    if (argc === 6) {
      const u = parseUnit(argv[5]);
      if (u < 0) {
        c.addError(ERR_SYNTAX);
        return;
      }
      isbit = u === 1;
    }
    if (argc >= 5) {
      const en = parseIntArg(argv[4]);
      if (en === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      end = en;
      endGiven = true;
    } else {
      end = strlen - 1;
    }
    const totlen = isbit ? strlen * 8 : strlen;
    if (start < 0) start = totlen + start;
    if (end < 0) end = totlen + end;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= totlen) end = totlen - 1;
  } else if (argc === 3) {
    start = 0;
    end = strlen - 1;
  } else {
    c.addError(ERR_SYNTAX);
    return;
  }
  if (start > end) {
    c.addInt(-1);
    return;
  }
  const from = isbit ? start : start * 8;
  const to = isbit ? end : end * 8 + 7;
  const pos = findBit(s, bit, from, to);
  if (pos >= 0) {
    c.addInt(pos);
    return;
  }
  // No clear bit in the string: without an explicit end the string is seen as
  // zero-padded on the right, so the first clear bit is just past it.
  c.addInt(bit === 0 && !endGiven ? to + 1 : -1);
}

// ---- BITOP --------------------------------------------------------------------------------

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;

function bitopCommand(c: Client, argv: string[]): void {
  const opname = argv[1];
  const dest = argv[2];
  let op: number;
  if (eqi(opname, 'and')) op = OP_AND;
  else if (eqi(opname, 'or')) op = OP_OR;
  else if (eqi(opname, 'xor')) op = OP_XOR;
  else if (eqi(opname, 'not')) op = OP_NOT;
  else {
    c.addError(ERR_SYNTAX);
    return;
  }
  if (op === OP_NOT && argv.length !== 4) {
    c.addError('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const numkeys = argv.length - 3;
  const srcs: string[] = new Array<string>(numkeys);
  let maxlen = 0;
  for (let j = 0; j < numkeys; j++) {
    const o = lookupRead(c, argv[j + 3], ObjType.String);
    if (o === null) return;
    if (o === undefined) {
      srcs[j] = '';
      continue;
    }
    const s = o.value as string;
    srcs[j] = s;
    if (s.length > maxlen) maxlen = s.length;
  }
  if (maxlen > 0) {
    const res = Buffer.alloc(maxlen);
    if (op === OP_NOT) {
      const s = srcs[0];
      for (let i = 0; i < maxlen; i++) res[i] = ~s.charCodeAt(i) & 0xff;
    } else if (op === OP_AND) {
      res.fill(0xff);
      for (let j = 0; j < numkeys; j++) {
        const s = srcs[j];
        const n = s.length;
        for (let i = 0; i < n; i++) res[i] &= s.charCodeAt(i);
        if (n < maxlen) res.fill(0, n);
      }
    } else {
      for (let j = 0; j < numkeys; j++) {
        const s = srcs[j];
        const n = s.length;
        if (op === OP_OR) for (let i = 0; i < n; i++) res[i] |= s.charCodeAt(i);
        else for (let i = 0; i < n; i++) res[i] ^= s.charCodeAt(i);
      }
    }
    const value = res.toString('latin1');
    c.db.lookupWrite(dest);
    const o = new RObj(ObjType.String, value, c.server.ks.initialLru());
    o.enc = ENC_BIG;
    c.db.set(dest, o, false);
    c.modified(dest, NOTIFY_STRING, 'set');
  } else if (c.db.delete(dest)) {
    c.modified(dest, NOTIFY_GENERIC, 'del');
  }
  c.addInt(maxlen);
}

// ---- BITFIELD -----------------------------------------------------------------------------

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;
const OW_WRAP = 0;
const OW_SAT = 1;
const OW_FAIL = 2;

interface BitfieldOp {
  opcode: number;
  offset: number;
  bits: number;
  signed: boolean;
  value: bigint;
  owtype: number;
}

/** Parses a bitfield type (i1..i64, u1..u63): returns bits, negated for signed; 0 on error. */
function parseBitfieldType(s: string): number {
  const f = s.charCodeAt(0); // lower case only, as Redis
  if (f !== 105 /* i */ && f !== 117 /* u */) return 0;
  let rest = s.slice(1);
  const nul = rest.indexOf('\0'); // Redis reads the width as a C string
  if (nul >= 0) rest = rest.slice(0, nul);
  const n = parseIntArg(rest);
  if (n === null || n < 1 || (f === 105 && n > 64) || (f === 117 && n > 63)) return 0;
  return f === 105 ? -n : n;
}

/** The `bits`-wide unsigned field at bit `offset` (bytes beyond the string read as 0). */
function readField(s: string, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(i < s.length ? s.charCodeAt(i) : 0);
  const tail = (last + 1) * 8 - (offset + bits); // bits after the field in the last byte
  return (v >> BigInt(tail)) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the unsigned `u` (already < 2^bits) at bit `offset` of s (long enough). */
function writeField(s: string, offset: number, bits: number, u: bigint): string {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let v = 0n;
  for (let i = first; i <= last; i++) v = (v << 8n) | BigInt(s.charCodeAt(i));
  const tail = BigInt((last + 1) * 8 - (offset + bits));
  const mask = ((1n << BigInt(bits)) - 1n) << tail;
  v = (v & ~mask) | (u << tail);
  let mid = '';
  for (let i = last; i >= first; i--) {
    mid = String.fromCharCode(Number(v & 0xffn)) + mid;
    v >>= 8n;
  }
  return s.slice(0, first) + mid + s.slice(last + 1);
}

function bitfieldGeneric(c: Client, argv: string[], readonlyCmd: boolean): void {
  const key = argv[1];
  const argc = argv.length;
  const ops: BitfieldOp[] = [];
  let owtype = OW_WRAP;
  let readonly = true;
  let highestWrite = 0;
  for (let j = 2; j < argc; j++) {
    const remargs = argc - j - 1;
    const sub = argv[j];
    let opcode: number;
    if (eqi(sub, 'get') && remargs >= 2) opcode = BF_GET;
    else if (eqi(sub, 'set') && remargs >= 3) opcode = BF_SET;
    else if (eqi(sub, 'incrby') && remargs >= 3) opcode = BF_INCRBY;
    else if (eqi(sub, 'overflow') && remargs >= 1) {
      const t = argv[++j];
      if (eqi(t, 'wrap')) owtype = OW_WRAP;
      else if (eqi(t, 'sat')) owtype = OW_SAT;
      else if (eqi(t, 'fail')) owtype = OW_FAIL;
      else {
        c.addError('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
    const t = parseBitfieldType(argv[j + 1]);
    if (t === 0) {
      c.addError(ERR_BITFIELD_TYPE);
      return;
    }
    const bits = t < 0 ? -t : t;
    const offset = getBitOffset(c, argv[j + 2], bits);
    if (offset < 0) return;
    let value = 0n;
    if (opcode !== BF_GET) {
      readonly = false;
      if (highestWrite < offset + bits - 1) highestWrite = offset + bits - 1;
      const v = parseInt64(argv[j + 3]);
      if (v === null) {
        c.addError(ERR_NOT_INT);
        return;
      }
      value = v;
    }
    ops.push({ opcode, offset, bits, signed: t < 0, value, owtype });
    j += opcode === BF_GET ? 2 : 3;
  }

  let o: RObj | undefined;
  let grown = false;
  if (readonly) {
    const r = lookupRead(c, key, ObjType.String);
    if (r === null) return;
    o = r;
  } else {
    if (readonlyCmd) {
      c.addError('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    o = lookupStringForBit(c, key, highestWrite);
    if (o === undefined) return;
    grown = bitGrown;
  }

  c.addArrayLen(ops.length);
  let changes = 0;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    const bits = op.bits;
    if (op.opcode === BF_GET) {
      const u = o === undefined ? 0n : readField(o.value as string, op.offset, bits);
      c.addInt(op.signed ? BigInt.asIntN(bits, u) : u);
      continue;
    }
    const s = o!.value as string;
    const rawOld = readField(s, op.offset, bits);
    let oldval: bigint;
    let value: bigint; // the value the new one is computed from
    let incr: bigint;
    let max: bigint;
    let min: bigint;
    if (op.signed) {
      oldval = BigInt.asIntN(bits, rawOld);
      max = (1n << BigInt(bits - 1)) - 1n;
      min = -max - 1n;
      if (op.opcode === BF_INCRBY) {
        value = oldval;
        incr = op.value;
      } else {
        value = op.value;
        incr = 0n;
      }
    } else {
      oldval = rawOld;
      max = (1n << BigInt(bits)) - 1n;
      min = 0n;
      if (op.opcode === BF_INCRBY) {
        value = oldval;
        incr = op.value;
      } else {
        value = BigInt.asUintN(64, op.value); // the SET value seen as uint64_t
        incr = 0n;
      }
    }
    // Overflow detection exactly as Redis computes it in 64-bit integers (including
    // its wrap-arounds: SET i1 -9223372036854775808 saturates to the maximum).
    const r = value + incr;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, min - value);
    let dir = 0; // 1 overflow up, -1 down
    if (op.signed) {
      if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
      else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
    } else {
      if (value > max || (incr > 0n && incr > maxincr)) dir = 1;
      else if (incr < 0n && incr < minincr) dir = -1;
    }
    let newval: bigint;
    const overflow = dir !== 0;
    if (!overflow) newval = r;
    else if (op.owtype === OW_SAT) newval = dir > 0 ? max : min;
    else newval = op.signed ? BigInt.asIntN(bits, r) : BigInt.asUintN(bits, r);
    if (overflow && op.owtype === OW_FAIL) {
      c.addNull();
      continue;
    }
    c.addInt(op.opcode === BF_INCRBY ? newval : oldval);
    if (newval !== oldval) {
      o!.value = writeField(s, op.offset, bits, BigInt.asUintN(bits, newval));
      changes++;
    } else if (grown) {
      changes++;
    }
  }
  // Redis 7.2 forgets the change when the string was created or grown but every
  // write failed (OVERFLOW FAIL); we count it so replicas and the AOF see the key.
  if (changes === 0 && grown) changes = 1;
  if (changes > 0) c.modified(key, NOTIFY_STRING, 'setbit', changes);
}

function bitfieldCommand(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRoCommand(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

// ---- the table ----------------------------------------------------------------------------

export const COMMANDS: CommandSpec[] = [
  cmd('setbit', 4, ['write', 'denyoom'], [1, 1, 1], 'bitmap', ['write', 'bitmap', 'slow'], setbitCommand, {
    since: '2.2.0',
    summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.",
    complexity: 'O(1)',
  }),
  cmd('getbit', 3, ['readonly', 'fast'], [1, 1, 1], 'bitmap', ['read', 'bitmap', 'fast'], getbitCommand, {
    since: '2.2.0',
    summary: 'Returns a bit value by offset.',
    complexity: 'O(1)',
  }),
  cmd('bitcount', -2, ['readonly'], [1, 1, 1], 'bitmap', ['read', 'bitmap', 'slow'], bitcountCommand, {
    since: '2.6.0',
    summary: 'Counts the number of set bits (population counting) in a string.',
    complexity: 'O(N)',
  }),
  cmd('bitpos', -3, ['readonly'], [1, 1, 1], 'bitmap', ['read', 'bitmap', 'slow'], bitposCommand, {
    since: '2.8.7',
    summary: 'Finds the first set (1) or clear (0) bit in a string.',
    complexity: 'O(N)',
  }),
  cmd('bitop', -4, ['write', 'denyoom'], [2, -1, 1], 'bitmap', ['write', 'bitmap', 'slow'], bitopCommand, {
    since: '2.6.0',
    summary: 'Performs bitwise operations on multiple strings, and stores the result.',
    complexity: 'O(N)',
  }),
  cmd('bitfield', -2, ['write', 'denyoom'], [1, 1, 1], 'bitmap', ['write', 'bitmap', 'slow'], bitfieldCommand, {
    since: '3.2.0',
    summary: 'Performs arbitrary bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified',
  }),
  cmd('bitfield_ro', -2, ['readonly', 'fast'], [1, 1, 1], 'bitmap', ['read', 'bitmap', 'fast'], bitfieldRoCommand, {
    since: '6.0.0',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.',
    complexity: 'O(1) for each subcommand specified',
  }),
];
