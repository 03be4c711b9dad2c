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
const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;

// Hash table of candidate positions shared by all calls. An entry holds base + position;
// each call raises `base` past everything stored before, so stale entries (< base) are
// recognised without clearing the table.
const table = new Int32Array(HASH_SIZE);
let base = 1;

let outScratch = Buffer.allocUnsafe(1024);

function hash3(a: number, b: number, c: number): number {
  const v = (a << 16) | (b << 8) | c;
  return (Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS)) & (HASH_SIZE - 1);
}

/**
 * Compresses `input`. Returns a new Buffer with the compressed stream, or null when
 * it would take more than `maxOut` bytes (or the input is empty).
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
  if (outScratch.length < maxOut) outScratch = Buffer.allocUnsafe(Math.max(maxOut, outScratch.length * 2));
  const out = outScratch;
  let op = 0;
  let ip = 0;
  let litStart = 0; // first byte of the pending literal run
  const last = n - 2; // a match needs 3 bytes

  while (ip < last) {
    const h = hash3(input[ip], input[ip + 1], input[ip + 2]);
    const entry = table[h];
    table[h] = b0 + ip;
    const ref = entry >= b0 ? entry - b0 : -1;
    const dist = ip - ref; // 1..MAX_OFF for a usable match
    if (
      ref >= 0 &&
      dist <= MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (len < maxLen && input[ref + len] === input[ip + len]) len++;
      // Flush the pending literals.
      let lit = ip - litStart;
      while (lit > 0) {
        const run = lit > MAX_LIT ? MAX_LIT : lit;
        if (op + 1 + run > maxOut) return null;
        out[op++] = run - 1;
        for (let k = 0; k < run; k++) out[op++] = input[litStart + k];
        litStart += run;
        lit -= run;
      }
      const off = dist - 1;
      const l = len - 2;
      if (l < 7) {
        if (op + 2 > maxOut) return null;
        out[op++] = (l << 5) | (off >> 8);
      } else {
        if (op + 3 > maxOut) return null;
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      // Index the positions inside the match so later data can refer to them.
      const end = ip + len;
      for (let k = ip + 1; k < end && k < last; k++) table[hash3(input[k], input[k + 1], input[k + 2])] = b0 + k;
      ip = end;
      litStart = ip;
    } else {
      ip++;
    }
  }
  // Trailing literals.
  let lit = n - litStart;
  while (lit > 0) {
    const run = lit > MAX_LIT ? MAX_LIT : lit;
    if (op + 1 + run > maxOut) return null;
    out[op++] = run - 1;
    for (let k = 0; k < run; k++) out[op++] = input[litStart + k];
    litStart += run;
    lit -= run;
  }
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
