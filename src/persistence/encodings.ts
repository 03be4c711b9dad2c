// The compact blobs found inside RDB values: listpack, ziplist, intset and zipmap.
// Readers validate everything (sizes, headers, end markers, back-lengths, counts)
// and throw RdbError on the first inconsistency, so a corrupt blob never yields a
// half-built value. Writers exist for listpack and intset (what Cinnabar emits);
// the legacy ziplist/zipmap writers live in legacy.ts (tests and old-version output).
//
// Formats (all multi-byte integers little endian unless said otherwise):
//
// listpack   u32 total bytes, u16 element count (65535 = unknown), entries, 0xFF.
//            Entry = encoding byte(s) + data + back-length (the size of encoding +
//            data, 1..5 bytes, 7 bits per byte, read from the end; every byte but
//            the first has the high bit set). Encodings:
//              0xxxxxxx             7-bit unsigned integer
//              10LLLLLL             string of up to 63 bytes
//              110xxxxx yyyyyyyy    13-bit signed integer (x high bits)
//              1110LLLL LLLLLLLL    string of up to 4095 bytes (big-endian length)
//              11110000 + u32       string, 32-bit length
//              11110001/2/3/4       int16 / int24 / int32 / int64
// ziplist    u32 total bytes, u32 offset of the last entry, u16 count (65535 =
//            unknown), entries, 0xFF. Entry = previous entry length (1 byte < 254,
//            or 0xFE + u32), encoding, data. Encodings:
//              00LLLLLL / 01LLLLLL LLLLLLLL (big endian) / 10000000 + u32 big endian
//                                   strings with 6/14/32-bit lengths
//              0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8,
//              0xF1..0xFD           immediate 0..12 (low nibble - 1)
// intset     u32 width (2, 4 or 8), u32 count, sorted distinct integers of that width.
// zipmap     u8 count (254+ = unknown), then <len>key<len><free>value<free bytes>,
//            lengths 1 byte (< 254) or 0xFE + u32; 0xFF ends.

/**
 * What went wrong in a file, as Redis's loader tells the cases apart (its log lines
 * and its outcome differ by case): 'eof' the data ends early (rdbReportReadError on a
 * short read), 'checksum' the CRC64 does not match, 'header' a bad signature or
 * version (rdbLoad fails with EINVAL, nothing read), 'duplicate' a key already there
 * (serverPanic in Redis), 'corrupt' anything else malformed (rdbReportCorruptRDB).
 */
export type RdbErrorKind = 'eof' | 'checksum' | 'header' | 'duplicate' | 'corrupt';

export class RdbError extends Error {
  constructor(
    message: string,
    readonly kind: RdbErrorKind = 'corrupt',
  ) {
    super(message);
  }
}

function corrupt(what: string): never {
  throw new RdbError(what);
}

const TWO_POW_32 = 4294967296;

function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 16777216;
}

function i64le(b: Buffer, p: number): string {
  const lo = u32le(b, p);
  const hi = b.readInt32LE(p + 4);
  if (hi === 0) return String(lo);
  if (hi === -1 && lo >= 0x80000000) return String(lo - TWO_POW_32);
  if (Math.abs(hi) < 0x1fffff) return String(hi * TWO_POW_32 + lo);
  return b.readBigInt64LE(p).toString();
}

// ---- listpack ------------------------------------------------------------------------

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Parses a listpack blob into its elements (integers as decimal strings). */
export function parseListpack(b: Buffer): string[] {
  const n = b.length;
  if (n < 7) corrupt('listpack too short');
  if (u32le(b, 0) !== n) corrupt('listpack header size does not match the blob');
  if (b[n - 1] !== 0xff) corrupt('listpack not terminated');
  const declared = b[4] | (b[5] << 8);
  const out: string[] = [];
  let p = 6;
  const end = n - 1; // position of the terminator
  while (p < end) {
    const start = p;
    const e = b[p];
    let v: string;
    if (e < 0x80) {
      v = String(e);
      p += 1;
    } else if ((e & 0xc0) === 0x80) {
      const len = e & 0x3f;
      if (p + 1 + len > end) corrupt('listpack string past the end');
      v = b.toString('latin1', p + 1, p + 1 + len);
      p += 1 + len;
    } else if ((e & 0xe0) === 0xc0) {
      if (p + 2 > end) corrupt('listpack integer past the end');
      let x = ((e & 0x1f) << 8) | b[p + 1];
      if (x >= 4096) x -= 8192;
      v = String(x);
      p += 2;
    } else if ((e & 0xf0) === 0xe0) {
      if (p + 2 > end) corrupt('listpack string past the end');
      const len = ((e & 0x0f) << 8) | b[p + 1];
      if (p + 2 + len > end) corrupt('listpack string past the end');
      v = b.toString('latin1', p + 2, p + 2 + len);
      p += 2 + len;
    } else if (e === 0xf0) {
      if (p + 5 > end) corrupt('listpack string past the end');
      const len = u32le(b, p + 1);
      if (p + 5 + len > end) corrupt('listpack string past the end');
      v = b.toString('latin1', p + 5, p + 5 + len);
      p += 5 + len;
    } else if (e === 0xf1) {
      if (p + 3 > end) corrupt('listpack integer past the end');
      v = String(b.readInt16LE(p + 1));
      p += 3;
    } else if (e === 0xf2) {
      if (p + 4 > end) corrupt('listpack integer past the end');
      v = String(b.readIntLE(p + 1, 3));
      p += 4;
    } else if (e === 0xf3) {
      if (p + 5 > end) corrupt('listpack integer past the end');
      v = String(b.readInt32LE(p + 1));
      p += 5;
    } else if (e === 0xf4) {
      if (p + 9 > end) corrupt('listpack integer past the end');
      v = i64le(b, p + 1);
      p += 9;
    } else {
      corrupt(`invalid listpack entry encoding 0x${e.toString(16)}`);
    }
    // Back-length: the size of encoding + data, read backwards.
    const l = p - start;
    const bl = backlenSize(l);
    if (p + bl > end) corrupt('listpack back-length past the end');
    let q = p + bl - 1;
    let val = 0;
    let shift = 0;
    let count = 0;
    for (;;) {
      const byte = b[q];
      val += (byte & 127) * 2 ** shift;
      count++;
      if ((byte & 128) === 0) break;
      shift += 7;
      q--;
      if (count >= bl) corrupt('listpack back-length malformed');
    }
    if (val !== l || count !== bl) corrupt('listpack back-length does not match its entry');
    p += bl;
    out.push(v);
  }
  if (declared !== 65535 && declared !== out.length) corrupt('listpack element count does not match its header');
  return out;
}

/** Integer value of a canonical int64 string, or undefined (listpacks store those as integers). */
export function canonicalInt(s: string): number | bigint | undefined {
  const n = s.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return undefined;
    i = 1;
  }
  const f = s.charCodeAt(i);
  if (f === 48) return n === 1 ? 0 : undefined;
  if (f < 49 || f > 57) return undefined;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  const digits = n - i;
  if (digits <= 15) return Number(s);
  if (digits > 19) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

/** A growable byte buffer. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  reset(): void {
    this.pos = 0;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16le(v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  u32be(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Signed 64-bit little endian. */
  i64le(v: number | bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(typeof v === 'bigint' ? v : BigInt(v), this.pos);
    this.pos += 8;
  }

  f64le(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(b.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** A binary string (one char per byte). */
  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    if (n < 16) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    } else {
      this.buf.write(s, this.pos, n, 'latin1');
    }
    this.pos += n;
  }

  /** A copy of what was written. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Builds a listpack, entry by entry. */
export class ListpackBuilder {
  private w: ByteWriter;
  private count = 0;

  constructor(w: ByteWriter = new ByteWriter(256)) {
    this.w = w;
    w.reset();
    w.ensure(6);
    w.pos = 6;
  }

  add(s: string): void {
    const w = this.w;
    const start = w.pos;
    const iv = s.length <= 20 ? canonicalInt(s) : undefined;
    if (iv !== undefined) {
      if (typeof iv === 'number' && iv >= 0 && iv <= 127) {
        w.u8(iv);
      } else if (typeof iv === 'number' && iv >= -4096 && iv <= 4095) {
        const x = iv < 0 ? iv + 8192 : iv;
        w.u8(0xc0 | (x >> 8));
        w.u8(x & 0xff);
      } else if (typeof iv === 'number' && iv >= -32768 && iv <= 32767) {
        w.u8(0xf1);
        w.ensure(2);
        w.buf.writeInt16LE(iv, w.pos);
        w.pos += 2;
      } else if (typeof iv === 'number' && iv >= -8388608 && iv <= 8388607) {
        w.u8(0xf2);
        w.ensure(3);
        w.buf.writeIntLE(iv, w.pos, 3);
        w.pos += 3;
      } else if (typeof iv === 'number' && iv >= -2147483648 && iv <= 2147483647) {
        w.u8(0xf3);
        w.ensure(4);
        w.buf.writeInt32LE(iv, w.pos);
        w.pos += 4;
      } else {
        w.u8(0xf4);
        w.i64le(iv);
      }
    } else {
      const len = s.length;
      if (len < 64) {
        w.u8(0x80 | len);
      } else if (len < 4096) {
        w.u8(0xe0 | (len >> 8));
        w.u8(len & 0xff);
      } else {
        w.u8(0xf0);
        w.u32le(len);
      }
      w.latin1(s);
    }
    const l = w.pos - start;
    // Back-length (as many bytes as the size class says), most significant 7-bit
    // group first, every byte but the first flagged.
    const bl = backlenSize(l);
    w.ensure(bl);
    for (let i = 0; i < bl; i++) {
      const g = Math.floor(l / 2 ** (7 * (bl - 1 - i))) & 127;
      w.buf[w.pos++] = i === 0 ? g : g | 128;
    }
    this.count++;
  }

  /** Bytes written so far plus the terminator. */
  get size(): number {
    return this.w.pos + 1;
  }

  get length(): number {
    return this.count;
  }

  /** Finishes the listpack and returns a view of it (valid until the writer is reused). */
  finish(): Buffer {
    const w = this.w;
    w.u8(0xff);
    w.buf.writeUInt32LE(w.pos, 0);
    const c = this.count > 65534 ? 65535 : this.count;
    w.buf[4] = c & 0xff;
    w.buf[5] = c >> 8;
    return w.view();
  }
}

// ---- ziplist -------------------------------------------------------------------------

/** Parses a ziplist blob into its elements (integers as decimal strings). */
export function parseZiplist(b: Buffer): string[] {
  const n = b.length;
  if (n < 11) corrupt('ziplist too short');
  if (u32le(b, 0) !== n) corrupt('ziplist header size does not match the blob');
  if (b[n - 1] !== 0xff) corrupt('ziplist not terminated');
  const tail = u32le(b, 4);
  const declared = b[8] | (b[9] << 8);
  const out: string[] = [];
  const end = n - 1;
  let p = 10;
  let prevLen = 0;
  let lastStart = 10;
  while (p < end) {
    const start = p;
    // Previous entry length.
    let pl: number;
    if (b[p] < 254) {
      pl = b[p];
      p += 1;
    } else if (b[p] === 254) {
      if (p + 5 > end) corrupt('ziplist entry past the end');
      pl = u32le(b, p + 1);
      p += 5;
    } else {
      corrupt('ziplist entry with an invalid previous length');
    }
    if (pl !== prevLen) corrupt('ziplist previous-entry length does not match');
    if (p >= end) corrupt('ziplist entry past the end');
    const e = b[p];
    let v: string;
    switch (e >> 6) {
      case 0: {
        const len = e & 0x3f;
        if (p + 1 + len > end) corrupt('ziplist string past the end');
        v = b.toString('latin1', p + 1, p + 1 + len);
        p += 1 + len;
        break;
      }
      case 1: {
        if (p + 2 > end) corrupt('ziplist string past the end');
        const len = ((e & 0x3f) << 8) | b[p + 1];
        if (p + 2 + len > end) corrupt('ziplist string past the end');
        v = b.toString('latin1', p + 2, p + 2 + len);
        p += 2 + len;
        break;
      }
      case 2: {
        if (e !== 0x80) corrupt('invalid ziplist string encoding');
        if (p + 5 > end) corrupt('ziplist string past the end');
        const len = b.readUInt32BE(p + 1);
        if (p + 5 + len > end) corrupt('ziplist string past the end');
        v = b.toString('latin1', p + 5, p + 5 + len);
        p += 5 + len;
        break;
      }
      default: {
        let size: number;
        if (e === 0xc0) size = 2;
        else if (e === 0xd0) size = 4;
        else if (e === 0xe0) size = 8;
        else if (e === 0xf0) size = 3;
        else if (e === 0xfe) size = 1;
        else if (e >= 0xf1 && e <= 0xfd) size = 0;
        else corrupt(`invalid ziplist entry encoding 0x${e.toString(16)}`);
        if (p + 1 + size > end) corrupt('ziplist integer past the end');
        const d = p + 1;
        if (size === 0) v = String((e & 0x0f) - 1);
        else if (size === 1) v = String(b.readInt8(d));
        else if (size === 2) v = String(b.readInt16LE(d));
        else if (size === 3) v = String(b.readIntLE(d, 3));
        else if (size === 4) v = String(b.readInt32LE(d));
        else v = i64le(b, d);
        p = d + size;
      }
    }
    prevLen = p - start;
    lastStart = start;
    out.push(v);
  }
  if (tail !== lastStart) corrupt('ziplist tail offset does not match');
  if (declared !== 65535 && declared !== out.length) corrupt('ziplist element count does not match its header');
  return out;
}

// ---- intset --------------------------------------------------------------------------

/** Parses an intset blob into its members (decimal strings), checking order and width. */
export function parseIntset(b: Buffer): string[] {
  if (b.length < 8) corrupt('intset too short');
  const width = u32le(b, 0);
  if (width !== 2 && width !== 4 && width !== 8) corrupt('intset with an invalid encoding');
  const count = u32le(b, 4);
  if (8 + count * width !== b.length) corrupt('intset size does not match its count');
  const out = new Array<string>(count);
  if (width === 8) {
    let prev: bigint | null = null;
    for (let i = 0; i < count; i++) {
      const v = b.readBigInt64LE(8 + i * 8);
      if (prev !== null && v <= prev) corrupt('intset not sorted or with duplicates');
      prev = v;
      out[i] = v.toString();
    }
  } else {
    let prev = -Infinity;
    for (let i = 0; i < count; i++) {
      const v = width === 2 ? b.readInt16LE(8 + i * 2) : b.readInt32LE(8 + i * 4);
      if (v <= prev) corrupt('intset not sorted or with duplicates');
      prev = v;
      out[i] = String(v);
    }
  }
  return out;
}

/**
 * Builds an intset from canonical int64 strings (caller checked). Returns null when
 * a member is not an integer.
 */
export function buildIntset(w: ByteWriter, members: Iterable<string>): Buffer | null {
  const vals: bigint[] = [];
  for (const m of members) {
    const v = canonicalInt(m);
    if (v === undefined) return null;
    vals.push(BigInt(v));
  }
  vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) {
      width = 8;
      break;
    }
    if (v < -32768n || v > 32767n) width = 4;
  }
  w.reset();
  w.u32le(width);
  w.u32le(vals.length);
  w.ensure(vals.length * width);
  for (const v of vals) {
    if (width === 2) w.buf.writeInt16LE(Number(v), w.pos);
    else if (width === 4) w.buf.writeInt32LE(Number(v), w.pos);
    else w.buf.writeBigInt64LE(v, w.pos);
    w.pos += width;
  }
  return w.view();
}

// ---- zipmap --------------------------------------------------------------------------

/** Parses a zipmap blob into [field, value, field, value, ...]. */
export function parseZipmap(b: Buffer): string[] {
  const n = b.length;
  if (n < 2) corrupt('zipmap too short');
  if (b[n - 1] !== 0xff) corrupt('zipmap not terminated');
  const declared = b[0];
  const out: string[] = [];
  let p = 1;
  const end = n - 1;
  const readLen = (): number => {
    if (p >= end) corrupt('zipmap entry past the end');
    const x = b[p];
    if (x < 254) {
      p += 1;
      return x;
    }
    if (x === 254) {
      if (p + 5 > end) corrupt('zipmap entry past the end');
      const len = u32le(b, p + 1);
      p += 5;
      return len;
    }
    corrupt('zipmap entry with an invalid length');
  };
  while (p < end) {
    const klen = readLen();
    if (p + klen > end) corrupt('zipmap key past the end');
    const k = b.toString('latin1', p, p + klen);
    p += klen;
    const vlen = readLen();
    if (p >= end) corrupt('zipmap value past the end');
    const free = b[p++];
    if (p + vlen + free > end) corrupt('zipmap value past the end');
    const v = b.toString('latin1', p, p + vlen);
    p += vlen + free;
    out.push(k, v);
  }
  if (declared < 254 && declared !== out.length / 2) corrupt('zipmap element count does not match its header');
  return out;
}
