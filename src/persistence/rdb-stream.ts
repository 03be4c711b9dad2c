// Streams in the RDB format (types 15 STREAM_LISTPACKS, 19 STREAM_LISTPACKS_2 of Redis
// 7.0, 21 STREAM_LISTPACKS_3 of Redis 7.2), read and written byte for byte as Redis
// does:
//
//   len(nodes), then per node: string(16-byte big-endian master ID), string(listpack)
//   len(length), len(last.ms), len(last.seq)
//   [_2, _3] len(first.ms), len(first.seq), len(maxdel.ms), len(maxdel.seq), len(entries-added)
//   len(groups), then per group (byte order):
//     string(name), len(last.ms), len(last.seq), [_2, _3] len(entries-read, -1 as 2^64-1)
//     len(pel), per entry: 16 raw bytes of ID, 8-byte LE delivery time, len(delivery count)
//     len(consumers), per consumer: string(name), 8-byte LE seen-time, [_3] 8-byte LE
//       active-time, len(pel), per entry: 16 raw bytes of ID (found in the group's PEL)
//
// A node's listpack: count, deleted, num-fields, the master fields, 0; then per entry
// flags, ms-diff, seq-diff, [num-fields, field, value...] or (same fields) values,
// lp-count. Reading checks all of it (Redis's streamValidateListpackIntegrity, deep),
// and more than Redis does: IDs strictly increasing, the counters in agreement, every
// PEL entry owned by one consumer. Anything else is an RdbError (RESTORE answers
// "Bad data format"), never a half-built stream.
//
// Writing version 10 (what 7.0 reads) gives _2; version 11 (7.2's) gives _3.

import { RdbError } from './encodings.js';
import { ByteWriter, ListpackBuilder, parseListpack } from './encodings.js';
import type { RdbReader } from './rdb.js';
import { writeBlob, writeLen, writeString } from './rdb.js';
import {
  Consumer,
  ENTRIES_READ_INVALID,
  F_DELETED,
  F_SAMEFIELDS,
  Nack,
  Stream,
  StreamNode,
  U64_MAX,
  canon,
  cmpId,
  type StreamID,
  type U64,
} from '../types/stream.js';

export const STREAM_LISTPACKS = 15;
export const STREAM_LISTPACKS_2 = 19;
export const STREAM_LISTPACKS_3 = 21;

// ---- writing ------------------------------------------------------------------------------

/** rdbSaveLen of a value up to 2^64-1. */
function writeLen64(w: ByteWriter, n: U64): void {
  if (typeof n === 'number') {
    writeLen(w, n);
    return;
  }
  w.u8(0x81);
  w.ensure(8);
  w.buf.writeBigUInt64BE(n, w.pos);
  w.pos += 8;
}

function idKey(id: StreamID): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(BigInt(id.ms), 0);
  b.writeBigUInt64BE(BigInt(id.seq), 8);
  return b;
}

/** id - master as the int64 Redis stores (the uint64 difference, wrapped). */
function delta(a: U64, b: U64): string {
  if (typeof a === 'number' && typeof b === 'number') return String(a - b);
  return BigInt.asIntN(64, BigInt(a) - BigInt(b)).toString();
}

const lpWriter = new ByteWriter(4096);

/** The Redis listpack of a node. */
function nodeListpack(node: StreamNode): Buffer {
  const lp = new ListpackBuilder(lpWriter);
  lp.add(String(node.count));
  lp.add(String(node.deleted));
  lp.add(String(node.fields.length));
  for (const f of node.fields) lp.add(f);
  lp.add('0');
  for (const off of node.offsets()) {
    const flags = node.flagsAt(off);
    const id = node.idAt(off);
    const fv = node.fieldsAt(off);
    const nf = fv.length / 2;
    lp.add(String(flags));
    lp.add(delta(id.ms, node.ms));
    lp.add(delta(id.seq, node.seq));
    if (flags & F_SAMEFIELDS) {
      for (let i = 1; i < fv.length; i += 2) lp.add(fv[i]);
      lp.add(String(nf + 3));
    } else {
      lp.add(String(nf));
      for (const x of fv) lp.add(x);
      lp.add(String(2 * nf + 4));
    }
  }
  return lp.finish();
}

function writeMs(w: ByteWriter, ms: number): void {
  w.i64le(ms);
}

/** The value of a stream key; `type` is STREAM_LISTPACKS_2 or _3. */
export function writeStreamValue(w: ByteWriter, s: Stream, type: number, compress: boolean): void {
  writeLen(w, s.nodes.length);
  for (const node of s.nodes) {
    writeBlob(w, idKey(node.masterId), false);
    writeBlob(w, nodeListpack(node), compress);
  }
  writeLen(w, s.length);
  writeLen64(w, s.lastId.ms);
  writeLen64(w, s.lastId.seq);
  const first = s.firstId();
  writeLen64(w, first.ms);
  writeLen64(w, first.seq);
  writeLen64(w, s.maxDeletedId.ms);
  writeLen64(w, s.maxDeletedId.seq);
  writeLen(w, s.entriesAdded);
  const groups = s.sortedGroups();
  writeLen(w, groups.length);
  for (const g of groups) {
    writeString(w, g.name, compress);
    writeLen64(w, g.lastId.ms);
    writeLen64(w, g.lastId.seq);
    writeLen64(w, g.entriesRead === ENTRIES_READ_INVALID ? U64_MAX : g.entriesRead);
    writeLen(w, g.pel.size);
    for (const n of g.pel.items) {
      w.bytes(idKey(n.id));
      writeMs(w, n.deliveryTime);
      writeLen(w, n.deliveryCount);
    }
    const cons = g.sortedConsumers();
    writeLen(w, cons.length);
    for (const c of cons) {
      writeString(w, c.name, compress);
      writeMs(w, c.seenTime);
      if (type === STREAM_LISTPACKS_3) writeMs(w, c.activeTime);
      writeLen(w, c.pel.size);
      for (const n of c.pel.items) w.bytes(idKey(n.id));
    }
  }
}

// ---- reading ------------------------------------------------------------------------------

function bad(what: string, key: string): never {
  throw new RdbError(`stream '${key}': ${what}`);
}

/** rdbLoadLen of a value up to 2^64-1. */
function readLen64(r: RdbReader): U64 {
  const b = r.buf[r.pos];
  if (b === 0x81) {
    r.u8();
    r.need(8);
    const v = r.buf.readBigUInt64BE(r.pos);
    r.pos += 8;
    return canon(v);
  }
  return r.len();
}

function readId(r: RdbReader): StreamID {
  const ms = readLen64(r);
  const seq = readLen64(r);
  return { ms, seq };
}

function rawId(r: RdbReader): StreamID {
  r.need(16);
  const ms = canon(r.buf.readBigUInt64BE(r.pos));
  const seq = canon(r.buf.readBigUInt64BE(r.pos + 8));
  r.pos += 16;
  return { ms, seq };
}

function readMs(r: RdbReader): number {
  r.need(8);
  const v = r.buf.readBigInt64LE(r.pos);
  r.pos += 8;
  return Number(v);
}

const INT_RE = /^-?(?:0|[1-9][0-9]*)$/;

/** An integer element of a node's listpack (a listpack integer, as its text). */
function lpInt(items: string[], i: number, key: string): bigint {
  const s = items[i];
  if (s === undefined || !INT_RE.test(s)) bad('listpack integer expected', key);
  return BigInt(s);
}

/** Adds a uint64 and an int64 delta modulo 2^64 (what Redis's streamID arithmetic does). */
function addDelta(base: U64, d: bigint): U64 {
  return canon(BigInt.asUintN(64, BigInt(base) + d));
}

/** Rebuilds a node from its listpack; `prev` is the last ID seen in the stream so far. */
function readNode(master: StreamID, lp: Buffer, key: string, prev: StreamID | null): StreamNode {
  let items: string[];
  try {
    items = parseListpack(lp);
  } catch (e) {
    if (e instanceof RdbError) bad(`listpack: ${e.message}`, key);
    throw e;
  }
  if (items.length === 0) bad('empty listpack', key);
  const count = lpInt(items, 0, key);
  const deleted = lpInt(items, 1, key);
  const nmf = lpInt(items, 2, key);
  if (count < 0n || deleted < 0n || nmf < 0n || count + deleted === 0n) bad('bad node counters', key);
  if (BigInt(items.length) < 4n + nmf) bad('master entry past the listpack', key);
  const mf = items.slice(3, 3 + Number(nmf));
  let i = 3 + Number(nmf);
  if (lpInt(items, i, key) !== 0n) bad('master entry not terminated', key);
  i++;
  const node = new StreamNode(master, mf, lp.length);
  let last = prev;
  let live = 0;
  let dead = 0;
  const total = Number(count + deleted);
  for (let e = 0; e < total; e++) {
    const flags = lpInt(items, i++, key);
    if (flags < 0n || flags > 3n) bad('bad entry flags', key);
    const id: StreamID = { ms: addDelta(master.ms, lpInt(items, i++, key)), seq: addDelta(master.seq, lpInt(items, i++, key)) };
    if (last !== null && cmpId(id, last) <= 0) bad('entry IDs not increasing', key);
    if (e === 0 && cmpId(id, master) < 0) bad('entry below its node key', key);
    last = id;
    const fv: string[] = [];
    let nf: number;
    if (flags & BigInt(F_SAMEFIELDS)) {
      nf = mf.length;
      if (i + nf > items.length) bad('entry past the listpack', key);
      for (let k = 0; k < nf; k++) fv.push(mf[k], items[i++]);
    } else {
      const n = lpInt(items, i++, key);
      if (n < 0n || BigInt(i) + 2n * n > BigInt(items.length)) bad('entry past the listpack', key);
      nf = Number(n);
      for (let k = 0; k < 2 * nf; k++) fv.push(items[i++]);
    }
    const lpCount = lpInt(items, i++, key);
    const expect = flags & BigInt(F_SAMEFIELDS) ? nf + 3 : 2 * nf + 4;
    if (lpCount !== BigInt(expect)) bad('bad lp-count', key);
    const off = node.len;
    node.append(id, fv, 0, nf);
    if (flags & BigInt(F_DELETED)) {
      node.markDeleted(off);
      dead++;
    } else {
      live++;
    }
  }
  if (i !== items.length) bad('data after the last entry', key);
  if (BigInt(live) !== count || BigInt(dead) !== deleted) bad('node counters do not match its entries', key);
  node.shrink();
  return node;
}

/** The value of a stream key of RDB type `type` (15, 19 or 21). */
export function readStreamValue(r: RdbReader, type: number, key: string): Stream {
  const s = new Stream();
  const nnodes = r.count(2);
  let prev: StreamID | null = null;
  for (let n = 0; n < nnodes; n++) {
    const k = r.blob();
    if (k.length !== 16) bad('node key is not the size of a stream ID', key);
    const master: StreamID = { ms: canon(k.readBigUInt64BE(0)), seq: canon(k.readBigUInt64BE(8)) };
    const lp = Buffer.from(r.blob());
    const node = readNode(master, lp, key, prev);
    if (node.count === 0 && node.deleted === 0) bad('empty node', key);
    s.nodes.push(node);
    prev = node.lastId;
  }
  let live = 0;
  for (const node of s.nodes) live += node.count;
  s.length = r.len();
  if (s.length !== live) bad('length does not match the entries', key);
  s.lastId = readId(r);
  if (prev !== null && cmpId(prev, s.lastId) > 0) bad('last ID below the last entry', key);
  if (type !== STREAM_LISTPACKS) {
    readId(r); // the first ID: derived from the entries here
    s.maxDeletedId = readId(r);
    const added = readLen64(r);
    if (typeof added !== 'number') bad('entries-added out of range', key);
    s.entriesAdded = added;
  } else {
    s.entriesAdded = s.length;
  }
  const ngroups = r.count(4);
  for (let gi = 0; gi < ngroups; gi++) {
    const name = r.string();
    const lastId = readId(r);
    let entriesRead = ENTRIES_READ_INVALID;
    if (type !== STREAM_LISTPACKS) {
      const er = readLen64(r);
      entriesRead = er === U64_MAX ? ENTRIES_READ_INVALID : typeof er === 'number' ? er : bad('entries-read out of range', key);
    } else {
      entriesRead = s.estimateDistance(lastId);
    }
    const g = s.createGroup(name, lastId, entriesRead);
    if (g === null) bad('duplicated consumer group name', key);
    const npel = r.count(25);
    const orphans: Nack[] = [];
    for (let p = 0; p < npel; p++) {
      const id = rawId(r);
      const time = readMs(r);
      const cnt = r.len();
      const last = g.pel.items[g.pel.items.length - 1];
      if (last !== undefined && cmpId(id, last.id) <= 0) bad('PEL IDs not increasing', key);
      const nack = new Nack(id, null as unknown as Consumer, time, cnt);
      g.pel.items.push(nack);
      orphans.push(nack);
    }
    const ncons = r.count(10);
    for (let ci = 0; ci < ncons; ci++) {
      const cname = r.string();
      const seen = readMs(r);
      const active = type === STREAM_LISTPACKS_3 ? readMs(r) : seen;
      if (g.consumers.has(cname)) bad('duplicated consumer name', key);
      const cons = new Consumer(cname, seen, active);
      g.consumers.set(cname, cons);
      const ncp = r.count(16);
      for (let p = 0; p < ncp; p++) {
        const id = rawId(r);
        const nack = g.pel.get(id);
        if (nack === undefined) bad('consumer entry not found in the group PEL', key);
        if (nack.consumer !== null) bad('PEL entry owned by two consumers', key);
        const lastc = cons.pel.items[cons.pel.items.length - 1];
        if (lastc !== undefined && cmpId(id, lastc.id) <= 0) bad('consumer PEL IDs not increasing', key);
        nack.consumer = cons;
        cons.pel.items.push(nack);
      }
    }
    for (const n of orphans) if (n.consumer === null) bad('PEL entry without consumer', key);
  }
  return s;
}
