// LZF compression as used by RDB files (the LZF string encoding, compressed quicklist
// nodes).
//
// Stream format: a sequence of items, each starting with a control byte `c`:
//   c < 32            literal run: the next c + 1 bytes are copied as they are
//   c >= 32           back reference: L = c >> 5 (1..7); when L == 7 one more byte is
//                     added to it; then one byte `o`. The match copies L + 2 bytes
//                     starting ((c & 31) << 8 | o) + 1 bytes back in the output
//                     (the source may overlap the bytes being written).
// So literal runs are 1..32 bytes, matches 3..264 bytes, distances 1..8192.
//
// API:
//   lzfCompress(input, maxOut)   compressed bytes, or null when the result would not
//                                fit in maxOut bytes (callers then store the data raw)
//   lzfDecompress(input, outLen) the decompressed bytes; throws LzfError unless the
//                                stream is well formed and decodes to exactly outLen
//                                bytes

export class LzfError extends Error {}

const MAX_LIT = 32;
const MAX_OFF = 8192;
const MAX_REF = 264;
/** Bits of the hash table's index: 16, as the liblzf Redis builds (HLOG). */
const HASH_BITS = 16;
const HASH_SIZE = 1 << HASH_BITS;

// Hash table of candidate positions shared by all calls. An entry holds base + position;
// each call raises `base` past everything stored before, so stale entries (< base) are
// recognised without clearing the table.
const table = new Int32Array(HASH_SIZE);
let base = 1;

let outScratch = Buffer.allocUnsafe(1024);

/**
 * Compresses `input`. Returns a new Buffer with the compressed stream, or null when
 * it would take more than `maxOut` bytes (or the input is empty).
 *
 * The stream is the one liblzf 3.6 writes as redis-server builds it (HLOG 16,
 * VERY_FAST, not ULTRA_FAST), so that RDB strings and DUMP payloads come out byte
 * for byte as redis-server's: the hash of three bytes (p0 p1 p2 as a 24-bit value
 * h, ((h >> 8) - h) masked to 16 bits), a match never refers to position 0 nor
 * covers the last two input bytes, after a match only its last two positions are
 * hashed, and the output-space checks are liblzf's (a match needs 4 bytes of room
 * past it, the tail 3). One difference remains: liblzf leaves its table
 * uninitialized between calls, so redis-server may, rarely, find a match through
 * an entry left by an earlier call; this table starts empty each call.
 */
export function lzfCompress(input: Uint8Array, maxOut: number = input.length): Buffer | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  if (base + n + 1 >= 0x7fffffff) {
    table.fill(0);
    base = 1;
  }
  const b0 = base;
  base += n + 1;
  if (outScratch.length < maxOut + 1) outScratch = Buffer.allocUnsafe(Math.max(maxOut + 1, outScratch.length * 2));
  const out = outScratch;
  const outEnd = maxOut;
  let op = 1; // the control byte of the current literal run is at op - lit - 1
  let lit = 0;
  let ip = 0;
  const inEnd = n;
  let hval = n >= 2 ? (input[0] << 8) | input[1] : 0;
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = (((hval >>> 8) - hval) & (HASH_SIZE - 1)) >>> 0;
    const entry = table[slot];
    table[slot] = b0 + ip;
    const ref = entry >= b0 ? entry - b0 : -1;
    const off = ip - ref - 1;
    if (ref > 0 && ref < ip && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // stop the run
      if (lit === 0) op--; // undo an empty run
      do len++;
      while (len < maxlen && input[ref + len] === input[ip + len]);
      len -= 2; // octets - 1
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[(((hval >>> 8) - hval) & (HASH_SIZE - 1)) >>> 0] = b0 + ip;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[(((hval >>> 8) - hval) & (HASH_SIZE - 1)) >>> 0] = b0 + ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end the run
  if (lit === 0) op--;
  return Buffer.from(out.subarray(0, op));
}

/** Decompresses an LZF stream that must expand to exactly `outLen` bytes. */
export function lzfDecompress(input: Uint8Array, outLen: number, start = 0, end = input.length): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > end) throw new LzfError('LZF literal run past the end of the input');
      if (op + run > outLen) throw new LzfError('LZF output longer than expected');
      for (let k = 0; k < run; k++) out[op++] = input[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= end) throw new LzfError('LZF truncated back reference');
        len += input[ip++];
      }
      if (ip >= end) throw new LzfError('LZF truncated back reference');
      const ref = op - ((ctrl & 31) << 8) - input[ip++] - 1;
      len += 2;
      if (ref < 0) throw new LzfError('LZF back reference before the start of the output');
      if (op + len > outLen) throw new LzfError('LZF output longer than expected');
      for (let k = 0; k < len; k++) out[op++] = out[ref + k];
    }
  }
  if (op !== outLen) throw new LzfError(`LZF output is ${op} bytes, expected ${outLen}`);
  return out;
}
