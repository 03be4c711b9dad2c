// HyperLogLog as Redis stores it, byte for byte, so that a value moves between
// Cinnabar and redis-server (GET/SET, DUMP/RESTORE, RDB) and both count the same.
// The layout, from the Redis documentation of its HyperLogLog implementation:
//
//   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, and
//   the cached cardinality as 8 little-endian bytes; the top bit of the last byte
//   set means "cache invalid".
//   registers: 2^14 registers of 6 bits.
//   - dense: 12288 bytes, register i at bit 6*i, least significant bit first;
//   - sparse: a run-length code of opcodes:
//       ZERO  00xxxxxx           xxxxxx+1 (1..64) registers at 0
//       XZERO 01xxxxxx yyyyyyyy  the 14-bit x..y + 1 (1..16384) registers at 0
//       VAL   1vvvvvxx           xx+1 (1..4) registers at vvvvv+1 (1..32)
//     a register above 32, or a sparse value growing past hll-sparse-max-bytes,
//     converts the value to dense.
//
// The element hash is MurmurHash64A with seed 0xadc83b19: the low 14 bits pick the
// register, the run of zeros in the other 50 bits (plus one) is the value.
// Cardinality uses Otmar Ertl's estimator over the register histogram (the one
// Redis uses since 5.0). Sparse updates follow Redis's in-place algorithm exactly
// (split the opcode that covers the register into at most three, then merge equal
// adjacent VAL opcodes in a window of five), because the bytes it leaves are part of
// what must match.
//
// Values are latin1 strings in the keyspace; these functions work on a byte copy
// (Hll) and give back the string.

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680; // 1 / (2 ln 2)

export const ERR_INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
export const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

// ---- opcodes ---------------------------------------------------------------------------

const isZero = (b: number): boolean => (b & 0xc0) === 0;
const isXZero = (b: number): boolean => (b & 0xc0) === 0x40;
const zeroLen = (b: number): number => (b & 0x3f) + 1;
const xzeroLen = (b0: number, b1: number): number => (((b0 & 0x3f) << 8) | b1) + 1;
const valValue = (b: number): number => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number): number => (b & 3) + 1;
const valByte = (value: number, len: number): number => (((value - 1) << 2) | (len - 1)) | 0x80;

// ---- the hash ----------------------------------------------------------------------------

// 64-bit arithmetic on two 32-bit halves; results in H/L (no allocation per call).
let H = 0;
let L = 0;

/** (ah:al) * (bh:bl) mod 2^64 into H:L. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  let t = a0 * b0;
  const w0 = t & 0xffff;
  let carry = t >>> 16;
  t = a1 * b0 + carry;
  const mid = t & 0xffff;
  carry = t >>> 16;
  t = a0 * b1 + mid;
  const w1 = t & 0xffff;
  carry += t >>> 16;
  H = (a1 * b1 + carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  L = ((w1 << 16) | w0) >>> 0;
}

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

/** MurmurHash64A of the bytes of a latin1 string (`len` chars from `s`), into H:L. */
function murmur64a(s: string): void {
  const len = s.length;
  // h = seed ^ (len * m)
  mul64(0, len >>> 0, M_HI, M_LO);
  let hh = H;
  let hl = (L ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kh, kl, M_HI, M_LO); // k *= m
    let xh = H;
    let xl = (L ^ (H >>> 15)) >>> 0; // k ^= k >> 47
    mul64(xh, xl, M_HI, M_LO); // k *= m
    xh = H;
    xl = L;
    hh = (hh ^ xh) >>> 0; // h ^= k
    hl = (hl ^ xl) >>> 0;
    mul64(hh, hl, M_HI, M_LO); // h *= m
    hh = H;
    hl = L;
  }
  const rest = len & 7;
  if (rest > 0) {
    const d = blocks;
    // The fall-through switch of the reference: bytes 6..0 of the tail.
    if (rest >= 7) hh ^= s.charCodeAt(d + 6) << 16;
    if (rest >= 6) hh ^= s.charCodeAt(d + 5) << 8;
    if (rest >= 5) hh ^= s.charCodeAt(d + 4);
    if (rest >= 4) hl ^= s.charCodeAt(d + 3) << 24;
    if (rest >= 3) hl ^= s.charCodeAt(d + 2) << 16;
    if (rest >= 2) hl ^= s.charCodeAt(d + 1) << 8;
    hl ^= s.charCodeAt(d);
    mul64(hh >>> 0, hl >>> 0, M_HI, M_LO);
    hh = H;
    hl = L;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0; // h ^= h >> r
  mul64(hh, hl, M_HI, M_LO); // h *= m
  H = H >>> 0;
  L = (L ^ (H >>> 15)) >>> 0; // h ^= h >> r
}

/** MurmurHash64A with Redis's seed, as an unsigned BigInt (for tests). */
export function hllHash(s: string): bigint {
  murmur64a(s);
  return (BigInt(H) << 32n) | BigInt(L);
}

/** hllPatLen: register index + 16384 * value for the element `s`. */
function patLen(s: string): number {
  murmur64a(s);
  const index = L & HLL_P_MASK;
  // hash >>= P; hash |= 1 << Q; count = trailing zeros + 1
  const lo = ((L >>> HLL_P) | (H << (32 - HLL_P))) >>> 0;
  const hi = ((H >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  const count = lo !== 0 ? ctz32(lo) + 1 : 32 + ctz32(hi) + 1;
  return index + count * HLL_REGISTERS;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

// ---- values ------------------------------------------------------------------------------

/** A HyperLogLog value being read or changed: its bytes (with room) and length. */
export interface Hll {
  b: Uint8Array;
  len: number;
}

/** isHLLObjectOrReply's checks on a string value: the error to reply, or null. */
export function hllCheck(s: string): string | null {
  if (s.length < HLL_HDR_SIZE) return ERR_NOT_HLL;
  if (s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 || s.charCodeAt(3) !== 76) return ERR_NOT_HLL;
  const enc = s.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return ERR_NOT_HLL;
  if (enc === HLL_DENSE && s.length !== HLL_DENSE_SIZE) return ERR_NOT_HLL;
  return null;
}

/** The bytes of a value, with `room` spare bytes (a sparse update needs up to 3). */
export function hllFromString(s: string, room = 3): Hll {
  const b = Buffer.allocUnsafe(s.length + room);
  b.write(s, 0, 'latin1');
  b.fill(0, s.length);
  return { b, len: s.length };
}

/** The cached cardinality straight from a value's header, or -1 when invalid. */
export function hllCachedCardOf(s: string): number {
  if ((s.charCodeAt(15) & 0x80) !== 0) return -1;
  let v = 0;
  for (let i = 15; i >= 8; i--) v = v * 256 + s.charCodeAt(i);
  return v;
}

export function hllToString(h: Hll): string {
  const b = h.b instanceof Buffer ? h.b : Buffer.from(h.b.buffer, h.b.byteOffset, h.b.length);
  return b.toString('latin1', 0, h.len);
}

/** createHLLObject: an empty sparse HLL (one XZERO covering every register). */
export function hllCreate(): Hll {
  const ops = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
  const len = HLL_HDR_SIZE + ops * 2;
  const b = new Uint8Array(len + 3);
  b.set([72, 89, 76, 76, HLL_SPARSE]);
  let p = HLL_HDR_SIZE;
  for (let left = HLL_REGISTERS; left > 0; left -= SPARSE_XZERO_MAX_LEN) {
    const n = Math.min(left, SPARSE_XZERO_MAX_LEN) - 1;
    b[p++] = (n >> 8) | 0x40;
    b[p++] = n & 0xff;
  }
  return { b, len };
}

export function hllEncoding(h: Hll): number {
  return h.b[4];
}

export function hllInvalidateCache(h: Hll): void {
  h.b[15] |= 0x80;
}

export function hllSetCachedCard(h: Hll, card: number): void {
  let v = card;
  for (let i = 8; i < 16; i++) {
    h.b[i] = v % 256;
    v = Math.floor(v / 256);
  }
}

// ---- dense registers ------------------------------------------------------------------------

function denseGet(b: Uint8Array, regnum: number): number {
  const bit = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bit >> 3);
  const fb = bit & 7;
  const b0 = b[byte];
  const b1 = byte + 1 < HLL_DENSE_SIZE ? b[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSet(b: Uint8Array, regnum: number, v: number): void {
  const bit = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb);
  if (byte + 1 < HLL_DENSE_SIZE) b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)) | (v >> fb8);
}

/** hllDenseSet: raise register `index` to `count`; 1 when it changed. */
function denseUpdate(b: Uint8Array, index: number, count: number): number {
  if (count > denseGet(b, index)) {
    denseSet(b, index, count);
    return 1;
  }
  return 0;
}

/** The 16384 register values of a dense value (PFDEBUG GETREG). */
export function hllDenseRegisters(h: Hll): number[] {
  const out = new Array<number>(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(h.b, i);
  return out;
}

// ---- sparse -> dense ----------------------------------------------------------------------

/** hllSparseToDense in place of h; false for a corrupt sparse value (h unchanged). */
export function hllSparseToDense(h: Hll): boolean {
  if (h.b[4] === HLL_DENSE) return true;
  const d = new Uint8Array(HLL_DENSE_SIZE);
  d.set(h.b.subarray(0, HLL_HDR_SIZE));
  d[4] = HLL_DENSE;
  const b = h.b;
  const end = h.len;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      idx += xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
      p += 2;
    } else {
      let runlen = valLen(op);
      const regval = valValue(op);
      if (runlen + idx > HLL_REGISTERS) return false; // overflow, even from the last register on (as redis-server)
      while (runlen-- > 0) denseSet(d, idx++, regval);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.b = d;
  h.len = HLL_DENSE_SIZE;
  return true;
}

// ---- sparse update ----------------------------------------------------------------------------

/** Makes sure h.b has `extra` bytes of room past h.len. */
function reserve(h: Hll, extra: number): void {
  if (h.len + extra <= h.b.length) return;
  const nb = new Uint8Array(Math.max(h.len + extra, h.len * 2));
  nb.set(h.b.subarray(0, h.len));
  h.b = nb;
}

/**
 * hllSparseSet: raise register `index` to `count` in a sparse value, converting it
 * to dense when the value does not fit the sparse code or would grow past
 * `maxSparse` bytes. 1 when changed, 0 when not, -1 for a corrupt value.
 */
export function hllSparseSet(h: Hll, index: number, count: number, maxSparse: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  reserve(h, 3);
  let b = h.b;
  const sparse = HLL_HDR_SIZE;
  let end = h.len;

  // Step 1: the opcode covering `index`.
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isXZero(op)) {
      span = xzeroLen(op, b[p + 1]);
      oplen = 2;
    } else span = valLen(op);
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  const zero = isZero(op);
  const xzero = isXZero(op);
  const isVal = !zero && !xzero;
  let next = xzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]) : valLen(op);

  let simple = false;
  if (isVal) {
    // A) already as high; B) a VAL of length 1: update it.
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      b[p] = valByte(count, 1);
      simple = true;
    }
  }
  if (!simple && zero && runlen === 1) {
    // C) a ZERO of length 1 becomes a VAL.
    b[p] = valByte(count, 1);
    simple = true;
  }

  if (!simple) {
    // D) split the opcode into up to three (at most 5 bytes: XZERO VAL XZERO).
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const curval = valValue(op);
      if (index !== first) seq.push(valByte(curval, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(curval, last - index));
    }
    // Step 3: put the new sequence in place of the old opcode.
    const seqlen = seq.length;
    const oldlen = xzero ? 2 : 1;
    const deltalen = seqlen - oldlen;
    if (deltalen > 0 && h.len + deltalen > maxSparse) return promote(h, index, count);
    if (deltalen !== 0 && next >= 0) b.copyWithin(next + deltalen, next, end);
    h.len += deltalen;
    for (let i = 0; i < seqlen; i++) b[p + i] = seq[i];
    end += deltalen;
  }

  // Step 4: merge adjacent VAL opcodes of the same value, scanning up to five
  // opcodes from the one before the change.
  b = h.b;
  p = prev >= 0 ? prev : sparse;
  let scanlen = 5;
  while (p < end && scanlen-- > 0) {
    const o = b[p];
    if (isXZero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && !isZero(b[p + 1]) && !isXZero(b[p + 1])) {
      const v1 = valValue(o);
      const v2 = valValue(b[p + 1]);
      if (v1 === v2) {
        const len = valLen(o) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valByte(v1, len);
          b.copyWithin(p, p + 1, end);
          h.len--;
          end--;
          continue; // try to merge the merged opcode with the next one
        }
      }
    }
    p++;
  }
  hllInvalidateCache(h);
  return 1;
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push((l >> 8) | 0x40, l & 0xff);
  } else seq.push(len - 1);
}

function promote(h: Hll, index: number, count: number): number {
  if (!hllSparseToDense(h)) return -1;
  // A conversion happens only because a register must change: the set succeeds.
  denseUpdate(h.b, index, count);
  return 1;
}

/** hllAdd: adds the element; 1 when a register changed, 0 when not, -1 when corrupt. */
export function hllAdd(h: Hll, ele: string, maxSparse: number): number {
  const pl = patLen(ele);
  const index = pl & HLL_P_MASK;
  const count = Math.floor(pl / HLL_REGISTERS);
  if (h.b[4] === HLL_DENSE) return denseUpdate(h.b, index, count);
  if (h.b[4] === HLL_SPARSE) return hllSparseSet(h, index, count, maxSparse);
  return -1;
}

/**
 * Whether adding argv[from..] to the dense value `s` would raise a register, read
 * straight from the string: a PFADD that changes nothing copies no bytes.
 */
export function hllDenseWouldChange(s: string, argv: readonly string[], from: number): boolean {
  for (let j = from; j < argv.length; j++) {
    const pl = patLen(argv[j]);
    const index = pl & HLL_P_MASK;
    const count = Math.floor(pl / HLL_REGISTERS);
    const bit = index * HLL_BITS;
    const byte = HLL_HDR_SIZE + (bit >> 3);
    const fb = bit & 7;
    const b1 = byte + 1 < HLL_DENSE_SIZE ? s.charCodeAt(byte + 1) : 0;
    if (count > (((s.charCodeAt(byte) >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX)) return true;
  }
  return false;
}

/** Sets register `index` to at least `value`, in either encoding (PFMERGE). */
export function hllRaise(h: Hll, index: number, value: number, maxSparse: number): number {
  if (h.b[4] === HLL_DENSE) return denseUpdate(h.b, index, value);
  return hllSparseSet(h, index, value, maxSparse);
}

// ---- merging and counting --------------------------------------------------------------------

const MERGE_SCRATCH = Buffer.allocUnsafe(HLL_DENSE_SIZE);

/** hllMerge: max[i] = max(max[i], register i of the value); false when corrupt. */
export function hllMerge(max: Uint8Array, s: string): boolean {
  if (s.charCodeAt(4) === HLL_DENSE) {
    // Four 6-bit registers in every 3 bytes, least significant bits first: decoded a
    // group at a time (about 3x faster than a register at a time with denseGet).
    if (s.length < HLL_DENSE_SIZE) return false;
    // One scratch buffer for every merge: a 12 KB Buffer per key and call costs more
    // than the merge (an ArrayBuffer outside the pool, and GC work).
    const b = MERGE_SCRATCH;
    b.write(s, 0, HLL_DENSE_SIZE, 'latin1');
    for (let i = 0, p = HLL_HDR_SIZE; i < HLL_REGISTERS; i += 4, p += 3) {
      const b0 = b[p];
      const b1 = b[p + 1];
      const b2 = b[p + 2];
      let v = b0 & 63;
      if (v > max[i]) max[i] = v;
      v = ((b0 >> 6) | (b1 << 2)) & 63;
      if (v > max[i + 1]) max[i + 1] = v;
      v = ((b1 >> 4) | (b2 << 4)) & 63;
      if (v > max[i + 2]) max[i + 2] = v;
      v = b2 >> 2;
      if (v > max[i + 3]) max[i + 3] = v;
    }
    return true;
  }
  const end = s.length;
  let p = HLL_HDR_SIZE;
  let i = 0;
  while (p < end) {
    const op = s.charCodeAt(p);
    if (isZero(op)) {
      i += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      i += xzeroLen(op, p + 1 < end ? s.charCodeAt(p + 1) : 0);
      p += 2;
    } else {
      let runlen = valLen(op);
      const regval = valValue(op);
      if (runlen + i > HLL_REGISTERS) return false; // overflow: corrupt even when it starts at the end (as redis-server)
      while (runlen-- > 0) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The estimate from a register histogram (reghisto[v] = registers at value v). */
function countFromHisto(reghisto: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * sigma(reghisto[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** hllCount of a value (dense or sparse); -1 when the sparse code is corrupt. */
export function hllCount(h: Hll): number {
  const reghisto = new Int32Array(64);
  const b = h.b;
  if (b[4] === HLL_DENSE) {
    // A group of four registers per 3 bytes, as in hllMerge.
    for (let p = HLL_HDR_SIZE; p < HLL_DENSE_SIZE; p += 3) {
      const b0 = b[p];
      const b1 = b[p + 1];
      const b2 = b[p + 2];
      reghisto[b0 & 63]++;
      reghisto[((b0 >> 6) | (b1 << 2)) & 63]++;
      reghisto[((b1 >> 4) | (b2 << 4)) & 63]++;
      reghisto[b2 >> 2]++;
    }
  } else {
    const end = h.len;
    let p = HLL_HDR_SIZE;
    let idx = 0;
    while (p < end) {
      const op = b[p];
      if (isZero(op)) {
        const r = zeroLen(op);
        idx += r;
        reghisto[0] += r;
        p++;
      } else if (isXZero(op)) {
        const r = xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
        idx += r;
        reghisto[0] += r;
        p += 2;
      } else {
        const r = valLen(op);
        idx += r;
        reghisto[valValue(op)] += r;
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return -1;
  }
  return countFromHisto(reghisto);
}

/** The estimate of raw registers (one byte each), as PFCOUNT of several keys uses. */
export function hllCountRaw(max: Uint8Array): number {
  const reghisto = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) reghisto[max[i]]++;
  return countFromHisto(reghisto);
}

/** PFDEBUG DECODE of a sparse value: "z:n", "Z:n" and "v:value,len" separated by spaces. */
export function hllDecodeSparse(h: Hll): string {
  const parts: string[] = [];
  const b = h.b;
  const end = h.len;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, p + 1 < end ? b[p + 1] : 0)}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}

/** Register index and value for an element (PFSELFTEST and tests). */
export function hllPatLen(ele: string): { index: number; count: number } {
  const pl = patLen(ele);
  return { index: pl & HLL_P_MASK, count: Math.floor(pl / HLL_REGISTERS) };
}

/** Dense register access for PFSELFTEST. */
export const hllDenseRegister = { get: denseGet, set: denseSet };
