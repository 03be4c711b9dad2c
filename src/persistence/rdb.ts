// The RDB format: writer and reader of snapshot files and of DUMP payloads.
//
// A file is "REDIS" + 4 version digits, then a sequence of opcodes and key/value
// records, then EOF (0xFF) and, from version 5 on, the CRC-64/Jones of everything
// before it (8 bytes little endian; 0 means "not computed").
//
//   0xFA AUX k v          metadata (redis-ver, ctime, ...)
//   0xFE SELECTDB n       following keys belong to database n
//   0xFB RESIZEDB a b     size hints (keys, keys with a TTL)
//   0xFC EXPIRETIME_MS    8-byte ms expiry of the next key
//   0xFD EXPIRETIME       4-byte seconds expiry of the next key (old files)
//   0xF8 IDLE n           LRU idle seconds of the next key
//   0xF9 FREQ b           LFU counter of the next key
//   0xF5 FUNCTION2 s      a function library (skipped: Cinnabar has no functions yet)
//   0xF7 MODULE_AUX       module data (refused: no modules)
//   type key value        a key: type byte (0..21), key string, value
//
// Lengths: 00xxxxxx (6 bits), 01xxxxxx + 1 byte (14 bits, big endian), 0x80 + u32
// big endian, 0x81 + u64 big endian; 11xxxxxx introduces a special string encoding
// (0 int8, 1 int16, 2 int32 little endian, 3 LZF: compressed length, length, data).
//
// Writing (version 10 by default, what Redis 7.0 reads; version 11 is Redis 7.2's):
//   strings    int8/16/32 when the text is a canonical integer that fits, LZF when
//              compression is on and the string is longer than 20 bytes and shrinks
//              by at least 4 bytes, raw otherwise
//   lists      quicklist 2 (type 18) with packed listpack nodes, split as
//              list-max-listpack-size says
//   sets       intset (11) when every member is an integer and the set is (or may
//              be) an intset; listpack (20) only when writing version 11; else plain (2)
//   sorted     listpack (17) while the set is listpack-encoded, else zset2 (5) with
//   sets       binary doubles, from the highest to the lowest score as Redis writes
//   hashes     listpack (16) while listpack-encoded, else plain (4)
//
//   streams    STREAM_LISTPACKS_2 (19) for version 10, _3 (21) for version 11
//              (rdb-stream.ts)
//
// Reading: versions 1..11, every value type except modules (6, 7), which are
// refused with an RdbError naming the key; streams 15, 19 and 21 (rdb-stream.ts). All blobs are validated
// (encodings.ts); empty aggregates are reported as `null` (a file loader skips them,
// RESTORE refuses them as Redis does).
//
// API (see each function): RDB_TYPE, writeString / writeKeyValue / encodeKeyValue
// (one key: a pure function of key, object, expiry and options, usable key by key
// by a slice-by-slice snapshot), RdbFileWriter (a whole file through a chunk sink),
// createDumpPayload / verifyDumpPayload / loadDumpPayload (DUMP / RESTORE),
// loadRdb (a whole file from a buffer, key by key into a callback).

import { ENC_BIG, ENC_COMPACT, ObjType, RObj, type RHash, type RSet } from '../types/object.js';
import { RList, listpackEntrySize, listpackLimits } from '../types/list.js';
import { SortedSet } from '../types/sorted-set.js';
import { RHashValue } from '../types/hash.js';
import type { Stream } from '../types/stream.js';
import { readStreamValue, writeStreamValue } from './rdb-stream.js';
import type { Config } from '../config/config.js';
import {
  SENC_INTSET,
  SENC_LISTPACK,
  isIntMember,
  normalizeHashEncoding,
  normalizeSetEncoding,
  normalizeZsetEncoding,
  readEncodingLimits,
  type EncodingLimits,
} from '../types/encoding.js';
import { formatDouble, parseDouble } from '../util/numbers.js';
import { Crc64 } from './crc64.js';
import { LzfError, lzfCompress, lzfDecompress } from './lzf.js';
import {
  ByteWriter,
  ListpackBuilder,
  RdbError,
  canonicalInt,
  buildIntset,
  parseIntset,
  parseListpack,
  parseZiplist,
  parseZipmap,
} from './encodings.js';

export { RdbError, type RdbErrorKind } from './encodings.js';

/** The version Cinnabar writes by default (Redis 7.0's; 7.2 writes 11). */
export const RDB_VERSION_DEFAULT = 10;
/** The newest version Cinnabar reads (Redis 7.2's). */
export const RDB_VERSION_MAX = 11;

export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

export const RDB_OPCODE = {
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

const QUICKLIST_NODE_PLAIN = 1;
const QUICKLIST_NODE_PACKED = 2;

function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 21);
}

// ---- writing -------------------------------------------------------------------------

export interface RdbWriteOptions {
  /** RDB version of the output (affects which encodings may be used). Default 10. */
  version?: number;
  /** rdbcompression: LZF for strings longer than 20 bytes. Default true. */
  compress?: boolean;
  /** list-max-listpack-size, to split lists into quicklist nodes. Default -2. */
  listFill?: number;
  /** set-max-intset-entries, for sets whose encoding is not known yet. Default 512. */
  intsetMaxEntries?: number;
  /** set-max-listpack-entries / -value (version 11 output only). Defaults 128 / 64. */
  setListpackEntries?: number;
  setListpackValue?: number;
}

interface WriteOpts {
  version: number;
  compress: boolean;
  listFill: number;
  intsetMaxEntries: number;
  setListpackEntries: number;
  setListpackValue: number;
}

function fullOpts(o: RdbWriteOptions): WriteOpts {
  return {
    version: o.version ?? RDB_VERSION_DEFAULT,
    compress: o.compress ?? true,
    listFill: o.listFill ?? -2,
    intsetMaxEntries: o.intsetMaxEntries ?? 512,
    setListpackEntries: o.setListpackEntries ?? 128,
    setListpackValue: o.setListpackValue ?? 64,
  };
}

/** Writes an RDB length. */
export function writeLen(w: ByteWriter, n: number): void {
  if (n < 64) {
    w.u8(n);
  } else if (n < 16384) {
    w.u8(0x40 | (n >> 8));
    w.u8(n & 0xff);
  } else if (n <= 0xffffffff) {
    w.u8(0x80);
    w.u32be(n);
  } else {
    w.u8(0x81);
    w.u32be(Math.floor(n / 4294967296));
    w.u32be(n >>> 0);
  }
}

/** The int32 value of a canonical integer string of at most 11 chars, or undefined. */
function smallIntValue(s: string): number | undefined {
  if (s.length > 11) return undefined;
  const v = canonicalInt(s);
  return typeof v === 'number' && v >= -2147483648 && v <= 2147483647 ? v : undefined;
}

let strScratch = Buffer.allocUnsafe(4096);

/** Writes a string with RDB's string encodings (integer, LZF when `compress`, raw). */
export function writeString(w: ByteWriter, s: string, compress: boolean): void {
  const n = s.length;
  if (n <= 11) {
    const v = smallIntValue(s);
    if (v !== undefined) {
      if (v >= -128 && v <= 127) {
        w.u8(0xc0 | ENC_INT8);
        w.u8(v & 0xff);
      } else if (v >= -32768 && v <= 32767) {
        w.u8(0xc0 | ENC_INT16);
        w.u16le(v & 0xffff);
      } else {
        w.u8(0xc0 | ENC_INT32);
        w.u32le(v >>> 0);
      }
      return;
    }
  }
  if (compress && n > 20) {
    if (strScratch.length < n) strScratch = Buffer.allocUnsafe(Math.max(n, strScratch.length * 2));
    strScratch.write(s, 0, n, 'latin1');
    if (writeLzf(w, strScratch.subarray(0, n))) return;
  }
  writeLen(w, n);
  w.latin1(s);
}

/** Writes `b` LZF-compressed (the RDB LZF string encoding) when that saves >= 4 bytes; false otherwise. */
function writeLzf(w: ByteWriter, b: Uint8Array): boolean {
  const n = b.length;
  const c = lzfCompress(b, n - 4);
  if (c === null) return false;
  w.u8(0xc0 | ENC_LZF);
  writeLen(w, c.length);
  writeLen(w, n);
  w.bytes(c);
  return true;
}

/** Writes a binary blob (listpack, intset...) as an RDB string, LZF-compressed when it pays. */
export function writeBlob(w: ByteWriter, b: Uint8Array, compress: boolean): void {
  const n = b.length;
  if (compress && n > 20 && writeLzf(w, b)) return;
  writeLen(w, n);
  w.bytes(b);
}

/** Score text as stored in a listpack (integers become listpack integers). */
function scoreText(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 9223372036854775807) {
    if (Math.abs(v) <= 9007199254740991) return String(v === 0 ? 0 : v);
    return BigInt(v).toString();
  }
  return formatDouble(v);
}

const blobWriter = new ByteWriter(4096);

/** The RDB type a value is written with. */
export function rdbTypeOf(obj: RObj, options: RdbWriteOptions = {}): number {
  const o = fullOpts(options);
  return chooseType(obj, o);
}

function setIntsetCandidate(obj: RObj, o: WriteOpts): boolean {
  const s = obj.value as RSet;
  if (obj.enc === SENC_INTSET || (obj.enc === ENC_COMPACT && s.size <= o.intsetMaxEntries)) {
    for (const m of s) if (!isIntMember(m)) return false;
    return true;
  }
  return false;
}

function setListpackCandidate(obj: RObj, o: WriteOpts): boolean {
  if (o.version < 11) return false;
  const s = obj.value as RSet;
  if (obj.enc === ENC_BIG || obj.enc === SENC_INTSET) return false;
  if (obj.enc === ENC_COMPACT && s.size > o.setListpackEntries) return false;
  if (obj.enc === ENC_COMPACT) for (const m of s) if (m.length > o.setListpackValue) return false;
  return obj.enc === SENC_LISTPACK || obj.enc === ENC_COMPACT;
}

function chooseType(obj: RObj, o: WriteOpts): number {
  switch (obj.type) {
    case ObjType.String:
      return RDB_TYPE.STRING;
    case ObjType.List:
      return RDB_TYPE.LIST_QUICKLIST_2;
    case ObjType.Set:
      if (setIntsetCandidate(obj, o)) return RDB_TYPE.SET_INTSET;
      if (setListpackCandidate(obj, o)) return RDB_TYPE.SET_LISTPACK;
      return RDB_TYPE.SET;
    case ObjType.ZSet:
      return obj.enc === ENC_BIG ? RDB_TYPE.ZSET_2 : RDB_TYPE.ZSET_LISTPACK;
    case ObjType.Hash:
      return obj.enc === ENC_BIG ? RDB_TYPE.HASH : RDB_TYPE.HASH_LISTPACK;
    case ObjType.Stream:
      // Redis 7.0 (RDB 10) writes STREAM_LISTPACKS_2; 7.2 (RDB 11) writes _3 (with active-time).
      return o.version >= 11 ? RDB_TYPE.STREAM_LISTPACKS_3 : RDB_TYPE.STREAM_LISTPACKS_2;
    default:
      throw new RdbError(`cannot serialize values of type ${obj.type}`);
  }
}

function writeList(w: ByteWriter, list: RList, o: WriteOpts): void {
  const { maxBytes, maxCount } = listpackLimits(o.listFill);
  // First pass: how many elements go in each node (7 bytes of listpack overhead).
  const counts: number[] = [];
  let cnt = 0;
  let bytes = 7;
  for (const [, v] of list.iter()) {
    const es = listpackEntrySize(v);
    if (cnt > 0 && (cnt + 1 > maxCount || bytes + es > maxBytes)) {
      counts.push(cnt);
      cnt = 0;
      bytes = 7;
    }
    cnt++;
    bytes += es;
  }
  if (cnt > 0) counts.push(cnt);
  writeLen(w, counts.length);
  let node = 0;
  let lp = new ListpackBuilder(blobWriter);
  let inNode = 0;
  for (const [, v] of list.iter()) {
    lp.add(v);
    inNode++;
    if (inNode === counts[node]) {
      writeLen(w, QUICKLIST_NODE_PACKED);
      writeBlob(w, lp.finish(), o.compress);
      node++;
      inNode = 0;
      lp = new ListpackBuilder(blobWriter);
    }
  }
}

function writeValue(w: ByteWriter, type: number, obj: RObj, o: WriteOpts): void {
  switch (type) {
    case RDB_TYPE.STREAM_LISTPACKS_2:
    case RDB_TYPE.STREAM_LISTPACKS_3:
      writeStreamValue(w, obj.value as Stream, type, o.compress);
      return;
    case RDB_TYPE.STRING:
      writeString(w, obj.value as string, o.compress);
      return;
    case RDB_TYPE.LIST_QUICKLIST_2:
      writeList(w, obj.value as RList, o);
      return;
    case RDB_TYPE.SET_INTSET: {
      const b = buildIntset(blobWriter, obj.value as RSet);
      if (b === null) throw new RdbError('set member is not an integer');
      writeBlob(w, b, o.compress);
      return;
    }
    case RDB_TYPE.SET_LISTPACK: {
      const lp = new ListpackBuilder(blobWriter);
      for (const m of obj.value as RSet) lp.add(m);
      writeBlob(w, lp.finish(), o.compress);
      return;
    }
    case RDB_TYPE.SET: {
      const s = obj.value as RSet;
      writeLen(w, s.size);
      for (const m of s) writeString(w, m, o.compress);
      return;
    }
    case RDB_TYPE.ZSET_LISTPACK: {
      const lp = new ListpackBuilder(blobWriter);
      for (const [m, sc] of (obj.value as SortedSet).entries()) {
        lp.add(m);
        lp.add(scoreText(sc));
      }
      writeBlob(w, lp.finish(), o.compress);
      return;
    }
    case RDB_TYPE.ZSET_2: {
      const zs = obj.value as SortedSet;
      const all: Array<[string, number]> = [];
      for (const e of zs.entries()) all.push(e);
      writeLen(w, all.length);
      for (let i = all.length - 1; i >= 0; i--) {
        writeString(w, all[i][0], o.compress);
        w.f64le(all[i][1]);
      }
      return;
    }
    case RDB_TYPE.HASH_LISTPACK: {
      const lp = new ListpackBuilder(blobWriter);
      for (const [f, v] of (obj.value as RHash).entries()) {
        lp.add(f);
        lp.add(v);
      }
      writeBlob(w, lp.finish(), o.compress);
      return;
    }
    case RDB_TYPE.HASH: {
      const h = obj.value as RHash;
      writeLen(w, h.size);
      for (const [f, v] of h.entries()) {
        writeString(w, f, o.compress);
        writeString(w, v, o.compress);
      }
      return;
    }
    default:
      throw new RdbError(`cannot write RDB type ${type}`);
  }
}

/** Per-key metadata written before a key (LRU idle seconds or LFU counter). */
export interface KeyMeta {
  /** LRU idle time in seconds (written when >= 0; Redis writes it under *-lru policies). */
  idleSec?: number;
  /** LFU counter 0..255 (written when >= 0; Redis writes it under *-lfu policies). */
  freq?: number;
}

/**
 * Writes one key record: optional EXPIRETIME_MS (expireMs >= 0), IDLE, FREQ, then the
 * type, the key and the value.
 */
export function writeKeyValue(w: ByteWriter, key: string, obj: RObj, expireMs: number, options: RdbWriteOptions = {}, meta: KeyMeta = NO_META): void {
  writeKeyValueWith(w, key, obj, expireMs, fullOpts(options), meta);
}

const NO_META: KeyMeta = {};

/** writeKeyValue with the options already completed (no allocation per key). */
function writeKeyValueWith(w: ByteWriter, key: string, obj: RObj, expireMs: number, o: WriteOpts, meta: KeyMeta): void {
  const type = chooseType(obj, o);
  if (expireMs >= 0) {
    w.u8(RDB_OPCODE.EXPIRETIME_MS);
    w.i64le(Math.floor(expireMs));
  }
  if (meta.idleSec !== undefined && meta.idleSec >= 0) {
    w.u8(RDB_OPCODE.IDLE);
    writeLen(w, Math.floor(meta.idleSec));
  }
  if (meta.freq !== undefined && meta.freq >= 0) {
    w.u8(RDB_OPCODE.FREQ);
    w.u8(meta.freq & 0xff);
  }
  w.u8(type);
  writeString(w, key, o.compress);
  writeValue(w, type, obj, o);
}

const kvWriter = new ByteWriter(4096);

/**
 * One key record as bytes (a pure function of its arguments): what a snapshot
 * written slice by slice concatenates between its header and its footer.
 */
export function encodeKeyValue(key: string, obj: RObj, expireMs: number, options: RdbWriteOptions = {}, meta: KeyMeta = {}): Buffer {
  kvWriter.reset();
  writeKeyValue(kvWriter, key, obj, expireMs, options, meta);
  return kvWriter.take();
}

/** Writes an AUX field. */
export function writeAux(w: ByteWriter, key: string, value: string): void {
  w.u8(RDB_OPCODE.AUX);
  writeString(w, key, false);
  writeString(w, value, false);
}

/** The file header: magic, version, AUX fields. */
export function writeHeader(w: ByteWriter, version: number, aux: Array<[string, string]>): void {
  w.latin1('REDIS' + String(version).padStart(4, '0'));
  for (const [k, v] of aux) writeAux(w, k, v);
}

/** SELECTDB + RESIZEDB before a database's keys. */
export function writeSelectDb(w: ByteWriter, dbid: number, size: number, expires: number): void {
  w.u8(RDB_OPCODE.SELECTDB);
  writeLen(w, dbid);
  w.u8(RDB_OPCODE.RESIZEDB);
  writeLen(w, size);
  writeLen(w, expires);
}

/**
 * Writes a whole RDB file through a sink, in chunks of about `chunkSize` bytes,
 * computing the checksum on the way. The chunk passed to the sink is only valid
 * during the call (copy it to keep it).
 *
 *   const fw = new RdbFileWriter(chunk => fs.writeSync(fd, chunk), opts);
 *   fw.header(aux); fw.selectDb(0, n, e); fw.key(k, obj, exp, meta); ...; fw.finish();
 */
export class RdbFileWriter {
  readonly w = new ByteWriter(1 << 16);
  private crc = new Crc64();
  private readonly opts: RdbWriteOptions;
  private readonly full: WriteOpts;
  private readonly checksum: boolean;
  private readonly chunkSize: number;
  bytesWritten = 0;

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    opts: RdbWriteOptions = {},
    checksum = true,
    chunkSize = 1 << 20,
  ) {
    this.opts = { ...opts, version: opts.version ?? RDB_VERSION_DEFAULT };
    this.full = fullOpts(this.opts);
    this.checksum = checksum;
    this.chunkSize = chunkSize;
  }

  header(aux: Array<[string, string]>): void {
    writeHeader(this.w, this.opts.version!, aux);
    this.maybeFlush();
  }

  /** The function libraries, one RDB_OPCODE_FUNCTION2 record each (after the aux fields, as Redis writes them). */
  functions(codes: readonly string[]): void {
    for (const code of codes) {
      this.w.u8(RDB_OPCODE.FUNCTION2);
      writeString(this.w, code, this.full.compress);
      this.maybeFlush();
    }
  }

  selectDb(dbid: number, size: number, expires: number): void {
    writeSelectDb(this.w, dbid, size, expires);
    this.maybeFlush();
  }

  key(key: string, obj: RObj, expireMs: number, meta: KeyMeta = NO_META): void {
    writeKeyValueWith(this.w, key, obj, expireMs, this.full, meta);
    this.maybeFlush();
  }

  /** Appends bytes produced elsewhere (e.g. encodeKeyValue results). */
  raw(b: Uint8Array): void {
    this.w.bytes(b);
    this.maybeFlush();
  }

  private maybeFlush(): void {
    if (this.w.pos >= this.chunkSize) this.flush();
  }

  flush(): void {
    const w = this.w;
    if (w.pos === 0) return;
    this.crc.update(w.buf, 0, w.pos);
    this.bytesWritten += w.pos;
    this.sink(w.buf.subarray(0, w.pos));
    w.reset();
  }

  /** EOF and checksum (zero when checksums are disabled), then a final flush. */
  finish(): void {
    this.w.u8(RDB_OPCODE.EOF);
    this.crc.update(this.w.buf, 0, this.w.pos);
    this.w.ensure(8);
    if (this.checksum) this.crc.writeLE(this.w.buf, this.w.pos);
    else this.w.buf.fill(0, this.w.pos, this.w.pos + 8);
    this.w.pos += 8;
    this.bytesWritten += this.w.pos;
    this.sink(this.w.buf.subarray(0, this.w.pos));
    this.w.reset();
  }
}

/** DUMP: type + value + 2-byte RDB version + CRC-64 of all that (little endian). */
export function createDumpPayload(obj: RObj, options: RdbWriteOptions = {}): Buffer {
  const o = fullOpts(options);
  const w = kvWriter;
  w.reset();
  const type = chooseType(obj, o);
  w.u8(type);
  writeValue(w, type, obj, o);
  w.u16le(o.version);
  const crc = new Crc64().update(w.buf, 0, w.pos);
  w.ensure(8);
  crc.writeLE(w.buf, w.pos);
  w.pos += 8;
  return w.take();
}

/** RESTORE's check: a footer with a known version and a matching checksum. */
export function verifyDumpPayload(p: Uint8Array): boolean {
  const n = p.length;
  if (n < 10) return false;
  const ver = p[n - 10] | (p[n - 9] << 8);
  if (ver > RDB_VERSION_MAX) return false;
  return new Crc64().update(p, 0, n - 8).equalsLE(p, n - 8);
}

/**
 * Decodes a DUMP payload (already verified) into an object; null when it holds an
 * empty aggregate. Throws RdbError when the data is malformed or unsupported.
 */
export function loadDumpPayload(p: Buffer, config: Config): RObj | null {
  if (p.length < 11) throw new RdbError('payload too short');
  // As redis-server's RESTORE: the value is read from the whole payload, footer
  // included (a value whose lengths run into the version and CRC bytes is read
  // from them, not refused), and need not end where the footer begins.
  const r = new RdbReader(p, 0, p.length, config);
  const type = r.u8();
  if (!isObjectType(type)) throw new RdbError(`unknown value type ${type}`);
  return r.readObject(type, '');
}

// ---- reading -------------------------------------------------------------------------

/** A loaded hash, from the Map its pairs were collected in (hash.ts takes it over). */
function hashFromMap(m: Map<string, string>): RHash {
  return RHashValue.fromMap(m);
}

/** Reads RDB primitives and values from a buffer range, validating as it goes. */
export class RdbReader {
  pos: number;
  /** Set by readLenOrEncoding: the value read was a special encoding, not a length. */
  private encoded = false;
  /** The encoding limits of `config`, for the values loaded. */
  private readonly limits: EncodingLimits;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
    readonly config: Config,
  ) {
    this.pos = start;
    this.limits = readEncodingLimits(config);
  }

  need(n: number): void {
    if (n > this.end - this.pos) throw new RdbError('Unexpected EOF reading RDB file', 'eof');
  }

  u8(): number {
    if (this.pos >= this.end) throw new RdbError('Unexpected EOF reading RDB file', 'eof');
    return this.buf[this.pos++];
  }

  private lenOrEncoding(): number {
    const b = this.u8();
    const kind = b >> 6;
    this.encoded = false;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.u8();
    if (kind === 3) {
      this.encoded = true;
      return b & 0x3f;
    }
    if (b === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('length out of range');
      return Number(v);
    }
    throw new RdbError(`unknown length encoding 0x${b.toString(16)}`);
  }

  /** A plain length. */
  len(): number {
    const n = this.lenOrEncoding();
    if (this.encoded) throw new RdbError('unexpected string encoding where a length was expected');
    return n;
  }

  /** A count of elements that each take at least `minBytes` bytes (sanity-checked). */
  count(minBytes = 1): number {
    const n = this.len();
    if (n * minBytes > this.end - this.pos) throw new RdbError(`element count ${n} exceeds the data left`);
    return n;
  }

  /** An RDB string as a binary string. */
  string(): string {
    const n = this.lenOrEncoding();
    if (this.encoded) {
      switch (n) {
        case ENC_INT8:
          this.need(1);
          return String(this.buf.readInt8(this.pos++));
        case ENC_INT16: {
          this.need(2);
          const v = this.buf.readInt16LE(this.pos);
          this.pos += 2;
          return String(v);
        }
        case ENC_INT32: {
          this.need(4);
          const v = this.buf.readInt32LE(this.pos);
          this.pos += 4;
          return String(v);
        }
        case ENC_LZF:
          return this.lzf().toString('latin1');
        default:
          throw new RdbError(`unknown string encoding ${n}`);
      }
    }
    this.need(n);
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** An RDB string as bytes (a view into the input when stored raw). */
  blob(): Buffer {
    const n = this.lenOrEncoding();
    if (this.encoded) {
      if (n === ENC_LZF) return this.lzf();
      // Integer-encoded blobs cannot be valid listpacks/ziplists; return their text.
      this.pos--;
      return Buffer.from(this.string(), 'latin1');
    }
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private lzf(): Buffer {
    // Read as Redis's rdbLoadLen(rdb, NULL): an encoding byte here counts as its low 6 bits.
    const clen = this.lenOrEncoding();
    const ulen = this.lenOrEncoding();
    this.encoded = true;
    this.need(clen);
    // An uncompressed length of 0 is the empty string whatever the data (Redis 7.0's
    // lzf_decompress into no room returns 0, which is the length asked for).
    if (ulen === 0) {
      this.pos += clen;
      return Buffer.alloc(0);
    }
    if (clen === 0) throw new RdbError('LZF string with no data');
    // One LZF item expands to at most 264 bytes from 2-3 input bytes.
    if (ulen > clen * 132 + 32) throw new RdbError('LZF string with an impossible length');
    if (ulen > 0x7fffffff) throw new RdbError('LZF string too long');
    try {
      const out = lzfDecompress(this.buf, ulen, this.pos, this.pos + clen);
      this.pos += clen;
      return out;
    } catch (e) {
      if (e instanceof LzfError) throw new RdbError(`invalid LZF compressed string: ${e.message}`);
      throw e;
    }
  }

  /** Score of the old ZSET type: a length byte (253 NaN, 254 +inf, 255 -inf) and text. */
  private doubleString(): number {
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    this.need(n);
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    const v = parseDouble(s);
    if (v === null) throw new RdbError('invalid zset score');
    return v;
  }

  private binaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  i64(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * A value of RDB type `type`. Returns null for an empty aggregate. `key` only
   * names the key in error messages.
   */
  readObject(type: number, key: string): RObj | null {
    switch (type) {
      case RDB_TYPE.STRING:
        return new RObj(ObjType.String, this.string(), 0);

      case RDB_TYPE.LIST: {
        const n = this.count();
        const l = new RList();
        for (let i = 0; i < n; i++) l.pushTail(this.string());
        return this.finishList(l);
      }
      case RDB_TYPE.LIST_ZIPLIST: {
        const l = new RList();
        for (const v of parseZiplist(this.blob())) l.pushTail(v);
        return this.finishList(l);
      }
      case RDB_TYPE.LIST_QUICKLIST:
      case RDB_TYPE.LIST_QUICKLIST_2: {
        const nodes = this.count();
        const l = new RList();
        for (let i = 0; i < nodes; i++) {
          let container = QUICKLIST_NODE_PACKED;
          if (type === RDB_TYPE.LIST_QUICKLIST_2) {
            container = this.len();
            if (container !== QUICKLIST_NODE_PACKED && container !== QUICKLIST_NODE_PLAIN) {
              throw new RdbError(`quicklist node with an unknown container ${container}`);
            }
          }
          if (container === QUICKLIST_NODE_PLAIN) {
            l.pushTail(this.string());
            continue;
          }
          const b = this.blob();
          const items = type === RDB_TYPE.LIST_QUICKLIST ? parseZiplist(b) : parseListpack(b);
          for (const v of items) l.pushTail(v);
        }
        return this.finishList(l);
      }

      case RDB_TYPE.SET: {
        const n = this.count();
        const s: RSet = new Set<string>();
        for (let i = 0; i < n; i++) {
          const m = this.string();
          if (s.has(m)) throw new RdbError(`duplicate set members detected in key '${key}'`);
          s.add(m);
        }
        return this.finishSet(s);
      }
      case RDB_TYPE.SET_INTSET:
        return this.finishSet(this.setFrom(parseIntset(this.blob()), key));
      case RDB_TYPE.SET_LISTPACK:
        return this.finishSet(this.setFrom(parseListpack(this.blob()), key));

      case RDB_TYPE.ZSET:
      case RDB_TYPE.ZSET_2: {
        const n = this.count(2);
        const zs = new SortedSet();
        for (let i = 0; i < n; i++) {
          const m = this.string();
          const sc = type === RDB_TYPE.ZSET ? this.doubleString() : this.binaryDouble();
          if (sc !== sc) throw new RdbError(`zset with a NaN score in key '${key}'`);
          if (zs.add(m, sc) !== 'added') throw new RdbError(`duplicate zset members detected in key '${key}'`);
        }
        return this.finishZset(zs);
      }
      case RDB_TYPE.ZSET_ZIPLIST:
      case RDB_TYPE.ZSET_LISTPACK: {
        const b = this.blob();
        const items = type === RDB_TYPE.ZSET_ZIPLIST ? parseZiplist(b) : parseListpack(b);
        if (items.length % 2 !== 0) throw new RdbError(`zset blob with an odd number of entries in key '${key}'`);
        // A listpack holds its elements in order: build the set in one pass when they
        // are strictly ascending (as every real file has them), else insert one by one.
        const entries: Array<[string, number]> = [];
        let ordered = true;
        for (let i = 0; i < items.length; i += 2) {
          const sc = parseDouble(items[i + 1]);
          if (sc === null || sc !== sc) throw new RdbError(`zset with an invalid score in key '${key}'`);
          const m = items[i];
          if (ordered && entries.length > 0) {
            const [pm, ps] = entries[entries.length - 1];
            if (!(ps < sc || (ps === sc && pm < m))) ordered = false;
          }
          entries.push([m, sc]);
        }
        if (ordered) {
          // Ascending by score, a member may still appear twice (with two scores): refused, as Redis's sanitizer does.
          const seen = new Set<string>();
          for (const [m] of entries) {
            if (seen.has(m)) throw new RdbError(`duplicate zset members detected in key '${key}'`);
            seen.add(m);
          }
          return this.finishZset(SortedSet.fromSorted(entries, false));
        }
        const zs = new SortedSet();
        for (const [m, sc] of entries) {
          if (zs.add(m, sc) !== 'added') throw new RdbError(`duplicate zset members detected in key '${key}'`);
        }
        return this.finishZset(zs);
      }

      case RDB_TYPE.HASH: {
        const n = this.count(2);
        const h = new Map<string, string>();
        for (let i = 0; i < n; i++) {
          const f = this.string();
          const v = this.string();
          if (h.has(f)) throw new RdbError(`duplicate hash fields detected in key '${key}'`);
          h.set(f, v);
        }
        return this.finishHash(h);
      }
      case RDB_TYPE.HASH_ZIPMAP:
      case RDB_TYPE.HASH_ZIPLIST:
      case RDB_TYPE.HASH_LISTPACK: {
        const b = this.blob();
        const items =
          type === RDB_TYPE.HASH_ZIPMAP ? parseZipmap(b) : type === RDB_TYPE.HASH_ZIPLIST ? parseZiplist(b) : parseListpack(b);
        if (items.length % 2 !== 0) throw new RdbError(`hash blob with an odd number of entries in key '${key}'`);
        const h = new Map<string, string>();
        for (let i = 0; i < items.length; i += 2) {
          if (h.has(items[i])) throw new RdbError(`duplicate hash fields detected in key '${key}'`);
          h.set(items[i], items[i + 1]);
        }
        return this.finishHash(h);
      }

      case RDB_TYPE.STREAM_LISTPACKS:
      case RDB_TYPE.STREAM_LISTPACKS_2:
      case RDB_TYPE.STREAM_LISTPACKS_3:
        // A stream may be empty (an empty key is valid for streams).
        return new RObj(ObjType.Stream, readStreamValue(this, type, key), 0);
      case RDB_TYPE.MODULE_PRE_GA:
      case RDB_TYPE.MODULE_2:
        throw new RdbError(`key '${key}' holds a module value (RDB type ${type}): modules are not supported`);
      default:
        throw new RdbError(`unknown RDB value type ${type}`);
    }
  }

  private setFrom(items: string[], key: string): RSet {
    const s: RSet = new Set<string>();
    for (const m of items) {
      if (s.has(m)) throw new RdbError(`duplicate set members detected in key '${key}'`);
      s.add(m);
    }
    return s;
  }

  private finishList(l: RList): RObj | null {
    if (l.length === 0) return null;
    l.updateEncoding(this.limits.listMaxListpackSize, 'any');
    return new RObj(ObjType.List, l, 0);
  }

  private finishSet(s: RSet): RObj | null {
    if (s.size === 0) return null;
    const o = new RObj(ObjType.Set, s, 0);
    normalizeSetEncoding(o, this.limits);
    return o;
  }

  private finishZset(zs: SortedSet): RObj | null {
    if (zs.size === 0) return null;
    const o = new RObj(ObjType.ZSet, zs, 0);
    normalizeZsetEncoding(o, this.limits);
    if (o.enc !== ENC_BIG) {
      // A listpack stores -0 as 0 (see zsets.ts).
      const negZero: string[] = [];
      for (const [m, sc] of zs.entries()) if (sc === 0 && Object.is(sc, -0)) negZero.push(m);
      for (const m of negZero) {
        zs.remove(m);
        zs.add(m, 0);
      }
    }
    return o;
  }

  private finishHash(m: Map<string, string>): RObj | null {
    if (m.size === 0) return null;
    const o = new RObj(ObjType.Hash, hashFromMap(m), 0);
    o.enc = ENC_BIG;
    normalizeHashEncoding(o, this.limits);
    return o;
  }
}

export interface RdbLoadOptions {
  config: Config;
  /** Number of databases; a SELECTDB beyond it is an error. */
  dbCount: number;
  /** Current time (ms): keys whose expiry is before it are skipped (when `dropExpired`). */
  now: number;
  /** Skip keys already expired (a primary does; a replica keeps them). Default true. */
  dropExpired?: boolean;
  /** Verify the checksum (rdbchecksum). Default true. */
  verifyChecksum?: boolean;
  /**
   * Receives every key (expireMs -1 when none; idleSec/freq -1 when absent). May
   * throw (an RdbError for a duplicate key, say) to abort the load.
   */
  onKey: (dbid: number, key: string, obj: RObj, expireMs: number, idleSec: number, freq: number) => void;
  onAux?: (key: string, value: string) => void;
  /** Receives the code of each function library (RDB_OPCODE_FUNCTION2); without it they are skipped. */
  onFunction?: (code: string) => void;
  onWarning?: (msg: string) => void;
  /** Sees the RDB type of every value record (statistics, tests). */
  onType?: (dbid: number, key: string, type: number) => void;
}

export interface RdbLoadInfo {
  version: number;
  keys: number;
  expired: number;
  emptySkipped: number;
  functionsSkipped: number;
  /** False when the file carried a zero checksum (or checking was off). */
  checksumVerified: boolean;
  /** Offset just past the file (EOF and checksum): an AOF tail may follow. */
  end: number;
}

/**
 * Parses a whole RDB file held in `buf` (from `start`), handing each key to
 * opts.onKey. Throws RdbError on any malformed, truncated or unsupported content;
 * the caller is expected to have loaded into scratch databases it can discard.
 */
export function loadRdb(buf: Buffer, opts: RdbLoadOptions, start = 0): RdbLoadInfo {
  const l = new RdbLoad(buf, opts, start);
  l.run(Infinity, Infinity);
  return l.info;
}

/**
 * A load that can stop between records and go on later (the start-up load lets the
 * server answer LOADING between chunks, as Redis processes events every
 * loading-process-events-interval-bytes). The header is checked by the constructor.
 */
export class RdbLoad {
  readonly info: RdbLoadInfo;
  readonly r: RdbReader;
  done = false;
  private dbid = 0;
  private expire = -1;
  private idle = -1;
  private freq = -1;
  private readonly dropExpired: boolean;

  constructor(
    readonly buf: Buffer,
    readonly opts: RdbLoadOptions,
    readonly start = 0,
  ) {
    const r = new RdbReader(buf, start, buf.length, opts.config);
    this.r = r;
    r.need(9);
    if (buf.toString('latin1', start, start + 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file', 'header');
    const vtext = buf.toString('latin1', start + 5, start + 9);
    if (!/^[0-9]{4}$/.test(vtext)) throw new RdbError(`Can't handle RDB format version ${Number.parseInt(vtext, 10) || 0}`, 'header');
    const version = Number(vtext);
    if (version < 1 || version > RDB_VERSION_MAX) throw new RdbError(`Can't handle RDB format version ${version}`, 'header');
    r.pos = start + 9;
    this.dropExpired = opts.dropExpired ?? true;
    this.info = { version, keys: 0, expired: 0, emptySkipped: 0, functionsSkipped: 0, checksumVerified: false, end: 0 };
  }

  /**
   * Reads records until the file ends (true), or returns false at the first record
   * boundary at or past offset `untilPos`, or after `maxKeys` keys.
   */
  run(untilPos: number, maxKeys: number): boolean {
    if (this.done) return true;
    const { r, buf, opts, info } = this;
    let keys = 0;
    for (;;) {
      if (this.expire === -1 && this.idle === -1 && this.freq === -1 && (r.pos >= untilPos || keys >= maxKeys)) return false;
      const op = r.u8();
      switch (op) {
        case RDB_OPCODE.EXPIRETIME:
          this.expire = r.i32() * 1000;
          continue;
        case RDB_OPCODE.EXPIRETIME_MS:
          this.expire = r.i64();
          continue;
        case RDB_OPCODE.FREQ:
          this.freq = r.u8();
          continue;
        case RDB_OPCODE.IDLE:
          this.idle = r.len();
          continue;
        case RDB_OPCODE.SELECTDB:
          this.dbid = r.len();
          if (this.dbid >= opts.dbCount) {
            throw new RdbError(`Data file was created with a Redis server configured to handle more than ${opts.dbCount} databases`);
          }
          continue;
        case RDB_OPCODE.RESIZEDB:
          r.len();
          r.len();
          continue;
        case RDB_OPCODE.AUX: {
          const k = r.string();
          const v = r.string();
          opts.onAux?.(k, v);
          continue;
        }
        case RDB_OPCODE.MODULE_AUX:
          throw new RdbError('The RDB file contains module auxiliary data (AUX for a module): modules are not supported');
        case RDB_OPCODE.FUNCTION_PRE_GA:
          throw new RdbError('The RDB file contains functions in a pre-release format that is not supported');
        case RDB_OPCODE.FUNCTION2: {
          const code = r.string();
          if (opts.onFunction !== undefined) {
            opts.onFunction(code);
          } else {
            info.functionsSkipped++;
            opts.onWarning?.('The RDB file contains a function library: skipped (this load takes no functions)');
          }
          continue;
        }
        case RDB_OPCODE.EOF:
          break;
        default: {
          if (!isObjectType(op)) throw new RdbError(`Unknown RDB encoding type ${op}`);
          const key = r.string();
          const dbid = this.dbid;
          opts.onType?.(dbid, key, op);
          const obj = r.readObject(op, key);
          const expire = this.expire;
          if (obj === null) {
            info.emptySkipped++;
          } else if (this.dropExpired && expire !== -1 && expire < opts.now) {
            info.expired++;
          } else {
            opts.onKey(dbid, key, obj, expire, this.idle, this.freq);
            info.keys++;
          }
          keys++;
          this.expire = -1;
          this.idle = -1;
          this.freq = -1;
          continue;
        }
      }
      break;
    }
    if (info.version >= 5) {
      const crcEnd = r.pos;
      r.need(8);
      const stored = buf.readBigUInt64LE(crcEnd);
      r.pos += 8;
      if (stored === 0n) {
        opts.onWarning?.('RDB file was saved with checksum disabled: no check performed.');
      } else if (opts.verifyChecksum ?? true) {
        const crc = new Crc64().update(buf, this.start, crcEnd);
        if (!crc.equalsLE(buf, crcEnd)) {
          throw new RdbError(`Wrong RDB checksum expected: (${crc.value.toString(16)}) but got (${stored.toString(16)}). Aborting now.`, 'checksum');
        }
        info.checksumVerified = true;
      }
    }
    info.end = r.pos;
    this.done = true;
    return true;
  }
}
