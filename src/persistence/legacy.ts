// Writers for the legacy blobs that Redis versions before 7.0 put in RDB files
// (ziplist, zipmap). Cinnabar never emits them in its own files; they exist so the
// reader's support for old files can be tested (and verified against a real
// redis-server through RESTORE), and for a possible older-version output.

import { ByteWriter } from './encodings.js';

function isSmallInt(s: string): number | bigint | undefined {
  if (!/^-?(0|[1-9][0-9]{0,18})$/.test(s) || s === '-0') return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/**
 * Builds a ziplist. Integers are stored with the smallest integer encoding unless
 * `stringsOnly`; `forceLongPrevlen` writes 5-byte previous lengths everywhere
 * (legal, and exercises the reader).
 */
export function buildZiplist(items: string[], opts: { stringsOnly?: boolean } = {}): Buffer {
  const w = new ByteWriter(64);
  w.u32le(0);
  w.u32le(0);
  w.u16le(items.length > 65534 ? 65535 : items.length);
  let prevLen = 0;
  let lastStart = 10;
  for (const s of items) {
    const start = w.pos;
    lastStart = start;
    if (prevLen < 254) {
      w.u8(prevLen);
    } else {
      w.u8(254);
      w.u32le(prevLen);
    }
    const iv = opts.stringsOnly ? undefined : isSmallInt(s);
    if (iv !== undefined) {
      const v = typeof iv === 'bigint' ? iv : BigInt(iv);
      if (v >= 0n && v <= 12n) {
        w.u8(0xf1 + Number(v));
      } else if (v >= -128n && v <= 127n) {
        w.u8(0xfe);
        w.ensure(1);
        w.buf.writeInt8(Number(v), w.pos);
        w.pos += 1;
      } else if (v >= -32768n && v <= 32767n) {
        w.u8(0xc0);
        w.ensure(2);
        w.buf.writeInt16LE(Number(v), w.pos);
        w.pos += 2;
      } else if (v >= -8388608n && v <= 8388607n) {
        w.u8(0xf0);
        w.ensure(3);
        w.buf.writeIntLE(Number(v), w.pos, 3);
        w.pos += 3;
      } else if (v >= -2147483648n && v <= 2147483647n) {
        w.u8(0xd0);
        w.ensure(4);
        w.buf.writeInt32LE(Number(v), w.pos);
        w.pos += 4;
      } else {
        w.u8(0xe0);
        w.i64le(v);
      }
    } else {
      const len = s.length;
      if (len < 64) {
        w.u8(len);
      } else if (len < 16384) {
        w.u8(0x40 | (len >> 8));
        w.u8(len & 0xff);
      } else {
        w.u8(0x80);
        w.u32be(len);
      }
      w.latin1(s);
    }
    prevLen = w.pos - start;
  }
  w.u8(0xff);
  w.buf.writeUInt32LE(w.pos, 0);
  w.buf.writeUInt32LE(lastStart, 4);
  return w.take();
}

/** Builds a zipmap from [field, value, ...]; `free` unused bytes follow each value. */
export function buildZipmap(pairs: string[], free = 0): Buffer {
  const w = new ByteWriter(64);
  const n = pairs.length / 2;
  w.u8(n < 254 ? n : 254);
  const len = (l: number): void => {
    if (l < 254) {
      w.u8(l);
    } else {
      w.u8(254);
      w.u32le(l);
    }
  };
  for (let i = 0; i < pairs.length; i += 2) {
    len(pairs[i].length);
    w.latin1(pairs[i]);
    len(pairs[i + 1].length);
    w.u8(free);
    w.latin1(pairs[i + 1]);
    for (let k = 0; k < free; k++) w.u8(0);
  }
  w.u8(0xff);
  return w.take();
}
