// CRC-64/Jones, the checksum of RDB files and DUMP payloads.
//
// Parameters (the "Jones" variant): polynomial 0xad93d23594c935a9, reflected input
// and output, initial value 0, no final xor. Check value: crc64("123456789") is
// 0xe9c6d914c4b8d9ca.
//
// The 64-bit register is kept as two unsigned 32-bit halves (lo = bits 0..31,
// hi = bits 32..63) so that no BigInt arithmetic runs per byte. Eight bytes are
// folded per step with eight lookup tables ("slicing by 8"); the tail goes byte by
// byte through the first table.
//
// API:
//   crc64(data, init = 0n)        checksum of `data` continuing from `init` (bigint)
//   new Crc64()                   incremental: update(chunk), value (bigint),
//                                 writeLE(buf, off) stores the 8 checksum bytes as
//                                 RDB files do (little endian)

/** The polynomial bit-reversed (the reflected algorithm shifts right). */
const POLY_REFLECTED = 0x95ac9329ac4bc9b5n;

const TABLES = 8;
// Int32Array, not Uint32Array: every value stays an int32 in the hot loop (twice as
// fast as uint32 values above 2^31, which V8 may have to treat as doubles).
const LO = new Int32Array(TABLES * 256);
const HI = new Int32Array(TABLES * 256);

function buildTables(): void {
  const pLo = Number(POLY_REFLECTED & 0xffffffffn) >>> 0;
  const pHi = Number(POLY_REFLECTED >> 32n) >>> 0;
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let b = 0; b < 8; b++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ pLo) >>> 0;
        hi = (hi ^ pHi) >>> 0;
      }
    }
    LO[i] = lo;
    HI[i] = hi;
  }
  // T[k][i] = T[k-1][i] advanced by one more zero byte.
  for (let k = 1; k < TABLES; k++) {
    for (let i = 0; i < 256; i++) {
      const plo = LO[(k - 1) * 256 + i] >>> 0;
      const phi = HI[(k - 1) * 256 + i] >>> 0;
      const idx = plo & 0xff;
      LO[k * 256 + i] = ((plo >>> 8) | ((phi & 0xff) << 24)) ^ LO[idx];
      HI[k * 256 + i] = (phi >>> 8) ^ HI[idx];
    }
  }
}
buildTables();

/** Incremental CRC-64/Jones. */
export class Crc64 {
  lo = 0;
  hi = 0;

  constructor(init: bigint = 0n) {
    this.lo = Number(init & 0xffffffffn) >>> 0;
    this.hi = Number((init >> 32n) & 0xffffffffn) >>> 0;
  }

  update(data: Uint8Array, start = 0, end = data.length): this {
    let lo = this.lo | 0;
    let hi = this.hi | 0;
    let p = start;
    const fast = end - 8;
    while (p <= fast) {
      lo ^= data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24);
      hi ^= data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24);
      const a = 7 * 256 + (lo & 0xff);
      const b = 6 * 256 + ((lo >>> 8) & 0xff);
      const c = 5 * 256 + ((lo >>> 16) & 0xff);
      const d = 4 * 256 + (lo >>> 24);
      const e = 3 * 256 + (hi & 0xff);
      const f = 2 * 256 + ((hi >>> 8) & 0xff);
      const g = 256 + ((hi >>> 16) & 0xff);
      const h = hi >>> 24;
      lo = LO[a] ^ LO[b] ^ LO[c] ^ LO[d] ^ LO[e] ^ LO[f] ^ LO[g] ^ LO[h];
      hi = HI[a] ^ HI[b] ^ HI[c] ^ HI[d] ^ HI[e] ^ HI[f] ^ HI[g] ^ HI[h];
      p += 8;
    }
    while (p < end) {
      const idx = (lo ^ data[p]) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ LO[idx];
      hi = (hi >>> 8) ^ HI[idx];
      p++;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Writes the checksum as 8 little-endian bytes (the RDB / DUMP footer layout). */
  writeLE(buf: Uint8Array, off: number): void {
    const lo = this.lo;
    const hi = this.hi;
    buf[off] = lo & 0xff;
    buf[off + 1] = (lo >>> 8) & 0xff;
    buf[off + 2] = (lo >>> 16) & 0xff;
    buf[off + 3] = lo >>> 24;
    buf[off + 4] = hi & 0xff;
    buf[off + 5] = (hi >>> 8) & 0xff;
    buf[off + 6] = (hi >>> 16) & 0xff;
    buf[off + 7] = hi >>> 24;
  }

  /** True when the 8 little-endian bytes at `off` hold this checksum. */
  equalsLE(buf: Uint8Array, off: number): boolean {
    const lo = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
    const hi = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }
}

/** CRC-64/Jones of `data` (continuing from `init`). */
export function crc64(data: Uint8Array, init: bigint = 0n): bigint {
  return new Crc64(init).update(data).value;
}
