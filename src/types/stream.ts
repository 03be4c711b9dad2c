// The stream type: entries keyed by (ms, seq) IDs in compact nodes, the stream's
// counters (last ID, max deleted ID, entries added), and consumer groups with their
// pending entries lists (PEL) and consumers. Pure data, no I/O.
//
// IDs. Each half is an unsigned 64-bit number held as a `U64`: a JS number while it
// is at most 2^53-1 (every ID a clock makes), a bigint above. The form is canonical
// (a value has exactly one representation), so `===` is equality and `<` / `>`
// compare mathematically even across the two types; only arithmetic needs the
// helpers below.
//
// Nodes. Like Redis's radix tree of listpacks, entries live in nodes of up to
// stream-node-max-entries entries / stream-node-max-bytes bytes, each with a master
// ID and a master field list (the fields of the node's first entry). An entry whose
// field names equal the master's stores only its values. A node's bytes are one
// Buffer: per entry a flags byte (deleted, same-fields), the ms delta to the master
// ID and the absolute seq as varints, then (unless same-fields) the field count and
// the fields, then the values, each string as varint length + bytes (latin1, one
// char per byte). Deleting marks the flags byte, as Redis does; a node whose live
// entries are all gone is removed.
//
// When Redis starts a new node decides what `MAXLEN ~` and `MINID ~` trim (whole
// nodes only) and so what XLEN answers afterwards: each node therefore also keeps
// the byte size the same entries take in a Redis listpack (lpBytes), and the same
// rule starts a new node (streamAppendItem: lpBytes + the new entry's string bytes
// >= stream-node-max-bytes, or live + deleted entries >= stream-node-max-entries).
//
// Limits: a node holds at most STREAM_NODE_MAX_BYTES_CAP bytes of Redis listpack
// (Redis's STREAM_LISTPACK_MAX_SIZE, 1 GB) whatever the configuration says; an entry
// whose strings exceed it is refused ("Elements are too large to be stored").

import { listpackEntrySize } from './list.js';

export type U64 = number | bigint;

export const U64_MAX = 18446744073709551615n;
const SAFE_BIG = 9007199254740991n;
const SAFE = Number.MAX_SAFE_INTEGER;

/** Redis's STREAM_LISTPACK_MAX_SIZE: a node never grows past 1 GB whatever stream-node-max-bytes says. */
export const STREAM_NODE_MAX_BYTES_CAP = 1 << 30;

/** The canonical U64 of a bigint in [0, 2^64). */
export function canon(b: bigint): U64 {
  return b <= SAFE_BIG ? Number(b) : b;
}

function big(x: U64): bigint {
  return typeof x === 'bigint' ? x : BigInt(x);
}

export function u64Add(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (s <= SAFE) return s;
  }
  return canon(big(a) + big(b));
}

/** a - b for a >= b. */
export function u64Sub(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return canon(big(a) - big(b));
}

export interface StreamID {
  ms: U64;
  seq: U64;
}

export const ID_ZERO: StreamID = Object.freeze({ ms: 0, seq: 0 }) as StreamID;
export const ID_MAX: StreamID = Object.freeze({ ms: U64_MAX, seq: U64_MAX }) as StreamID;

export function cmpId(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idIsZero(a: StreamID): boolean {
  return a.ms === 0 && a.seq === 0;
}

export function formatId(a: StreamID): string {
  return `${a.ms}-${a.seq}`;
}

/** The successor of `id`, or null for the maximal ID (Redis's streamIncrID failing). */
export function incrId(id: StreamID): StreamID | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: u64Add(id.ms, 1), seq: 0 };
  }
  return { ms: id.ms, seq: u64Add(id.seq, 1) };
}

/** The predecessor of `id`, or null for 0-0 (streamDecrID failing). */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: u64Sub(id.ms, 1), seq: U64_MAX };
  }
  return { ms: id.ms, seq: u64Sub(id.seq, 1) };
}

// ---- parsing (Redis's string2ull and streamGenericParseIDOrReply) -----------------------

const STRICT_UINT = /^(?:0|[1-9][0-9]*)$/;
const STRICT_NEG = /^-[1-9][0-9]*$/;
const DIGITS = /^[0-9]+$/;
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN_ABS = 9223372036854775808n;

function isCSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * Redis's string2ull: a strict long long that is not negative, else what strtoull
 * accepts (leading white space, a sign, digits to the end, at most 2^64-1; a minus
 * sign negates modulo 2^64). Null when it fails.
 */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  if (n === 0) return null;
  if (n <= 15 && STRICT_UINT.test(s)) return Number(s);
  if (STRICT_UINT.test(s)) {
    const b = BigInt(s);
    if (b <= LLONG_MAX) return canon(b);
  } else if (STRICT_NEG.test(s) && BigInt(s.slice(1)) <= LLONG_MIN_ABS) {
    return null; // a valid negative long long
  }
  let i = 0;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i++;
  }
  const digits = s.slice(i);
  if (!DIGITS.test(digits)) return null;
  let v = BigInt(digits);
  if (v > U64_MAX) return null;
  if (neg && v !== 0n) v = U64_MAX + 1n - v;
  return canon(v);
}

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

export interface ParsedId {
  ms: U64;
  seq: U64;
  /** False for the `<ms>-*` form (only when `allowSeqStar`). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply: `-` (0-0) and `+` (max) unless strict,
 * `<ms>`, `<ms>-<seq>`, and with `allowSeqStar` `<ms>-*`. A missing seq is
 * `missingSeq`. The text stops at a NUL byte and may have at most 127 bytes, as
 * Redis copies it into a C buffer. Null when invalid.
 */
export function parseStreamId(arg: string, missingSeq: U64, strict: boolean, allowSeqStar: boolean): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (s === '-' || s === '+') {
    if (strict) return null;
    return s === '-' ? { ms: 0, seq: 0, seqGiven: true } : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { ms, seq: 0, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { ms, seq, seqGiven: true };
}

// ---- Redis listpack sizes (node boundaries) ----------------------------------------------

/** Bytes of an integer element of a listpack (encoding + backlen). */
function lpIntBytes(v: number | bigint): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** id - master as Redis stores it: an int64 (the uint64 difference, wrapped). */
function int64Delta(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return BigInt.asIntN(64, big(a) - big(b));
}

// ---- varints -------------------------------------------------------------------------------

function varBytes(x: U64): number {
  if (typeof x === 'number') {
    let n = 1;
    while (x >= 128) {
      x = Math.floor(x / 128);
      n++;
    }
    return n;
  }
  let n = 1;
  while (x >= 128n) {
    x >>= 7n;
    n++;
  }
  return n;
}

function putVar(buf: Buffer, off: number, x: U64): number {
  if (typeof x === 'number') {
    while (x >= 128) {
      buf[off++] = (x % 128) | 128;
      x = Math.floor(x / 128);
    }
    buf[off++] = x;
    return off;
  }
  while (x >= 128n) {
    buf[off++] = Number(x & 127n) | 128;
    x >>= 7n;
  }
  buf[off++] = Number(x);
  return off;
}

/** A read position in a node's buffer. */
class Cursor {
  off = 0;
  constructor(readonly buf: Buffer) {}

  varNum(): number {
    const buf = this.buf;
    let b = buf[this.off++];
    if (b < 128) return b;
    let v = b & 127;
    let mul = 128;
    for (;;) {
      b = buf[this.off++];
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
  }

  var(): U64 {
    const buf = this.buf;
    const start = this.off;
    let b = buf[this.off++];
    if (b < 128) return b;
    let n = 1;
    while (buf[this.off++] >= 128) n++;
    if (n < 7) {
      this.off = start;
      return this.varNum();
    }
    let v = 0n;
    for (let i = this.off - 1; i >= start; i--) v = (v << 7n) | BigInt(buf[i] & 127);
    return canon(v);
  }

  str(): string {
    const len = this.varNum();
    const s = this.buf.latin1Slice(this.off, this.off + len);
    this.off += len;
    return s;
  }

  skipStr(): void {
    const len = this.varNum();
    this.off += len;
  }
}

declare module 'buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number): number;
  }
}

// ---- nodes ------------------------------------------------------------------------------

export const F_DELETED = 1;
export const F_SAMEFIELDS = 2;

/** Bytes of a listpack with no entries: the 6-byte header and the end byte. */
const LP_EMPTY = 7;

export class StreamNode {
  /** Master ID: the ID of the node's first entry. */
  ms: U64;
  seq: U64;
  /** Master fields: the field names of the node's first entry. */
  fields: string[];
  buf: Buffer;
  /** Bytes of `buf` in use. */
  len = 0;
  /** Live entries / entries marked deleted. */
  count = 0;
  deleted = 0;
  /** ID of the node's last entry, deleted or not. */
  lastMs: U64;
  lastSeq: U64;
  /** Bytes a Redis listpack takes for the master entry's fields (num-fields, fields, terminator). */
  lpMaster: number;
  /** Bytes a Redis listpack takes for the entries. */
  lpEntries = 0;

  constructor(id: StreamID, fields: string[], capacity: number) {
    this.ms = id.ms;
    this.seq = id.seq;
    this.lastMs = id.ms;
    this.lastSeq = id.seq;
    this.fields = fields;
    this.buf = Buffer.allocUnsafeSlow(Math.max(32, capacity));
    let m = lpIntBytes(fields.length) + lpIntBytes(0);
    for (const f of fields) m += listpackEntrySize(f);
    this.lpMaster = m;
  }

  /** lpBytes() of the listpack Redis would hold for this node. */
  lpBytes(): number {
    return LP_EMPTY + lpIntBytes(this.count) + lpIntBytes(this.deleted) + this.lpMaster + this.lpEntries;
  }

  get masterId(): StreamID {
    return { ms: this.ms, seq: this.seq };
  }

  get lastId(): StreamID {
    return { ms: this.lastMs, seq: this.lastSeq };
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Gives back the unused capacity (the node is full: a new one was started). */
  shrink(): void {
    if (this.buf.length === this.len) return;
    const nb = Buffer.allocUnsafeSlow(Math.max(1, this.len));
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Whether `fv`'s field names (fv[start], fv[start+2], ...) are the master fields. */
  sameFields(fv: readonly string[], start: number, nfields: number): boolean {
    const mf = this.fields;
    if (mf.length !== nfields) return false;
    for (let i = 0; i < nfields; i++) if (fv[start + 2 * i] !== mf[i]) return false;
    return true;
  }

  /** Appends an entry (its ID above every ID of the node). */
  append(id: StreamID, fv: readonly string[], start: number, nfields: number): void {
    const same = this.sameFields(fv, start, nfields);
    const msDelta = u64Sub(id.ms, this.ms);
    let size = 1 + varBytes(msDelta) + varBytes(id.seq);
    let lp = 2 + lpIntBytes(msDelta as number) + lpIntBytes(int64Delta(id.seq, this.seq));
    lp += lpIntBytes(nfields + 3 + (same ? 0 : nfields + 1));
    if (!same) {
      size += varBytes(nfields);
      lp += lpIntBytes(nfields);
    }
    for (let i = 0; i < nfields; i++) {
      const v = fv[start + 2 * i + 1];
      size += varBytes(v.length) + v.length;
      lp += listpackEntrySize(v);
      if (!same) {
        const f = fv[start + 2 * i];
        size += varBytes(f.length) + f.length;
        lp += listpackEntrySize(f);
      }
    }
    this.reserve(size);
    const buf = this.buf;
    let o = this.len;
    buf[o++] = same ? F_SAMEFIELDS : 0;
    o = putVar(buf, o, msDelta);
    o = putVar(buf, o, id.seq);
    if (!same) o = putVar(buf, o, nfields);
    for (let i = 0; i < nfields; i++) {
      if (!same) {
        const f = fv[start + 2 * i];
        o = putVar(buf, o, f.length);
        o += buf.latin1Write(f, o);
      }
      const v = fv[start + 2 * i + 1];
      o = putVar(buf, o, v.length);
      o += buf.latin1Write(v, o);
    }
    this.len = o;
    this.count++;
    this.lpEntries += lp;
    this.lastMs = id.ms;
    this.lastSeq = id.seq;
  }

  /** Offsets of every entry (deleted ones included), in order. */
  offsets(): number[] {
    const out: number[] = [];
    const cur = new Cursor(this.buf);
    const nmf = this.fields.length;
    while (cur.off < this.len) {
      out.push(cur.off);
      const flags = this.buf[cur.off++];
      cur.var();
      cur.var();
      if (flags & F_SAMEFIELDS) {
        for (let i = 0; i < nmf; i++) cur.skipStr();
      } else {
        const n = cur.varNum();
        for (let i = 0; i < 2 * n; i++) cur.skipStr();
      }
    }
    return out;
  }

  /** The ID of the entry at `off`. */
  idAt(off: number): StreamID {
    const cur = new Cursor(this.buf);
    cur.off = off + 1;
    const ms = u64Add(this.ms, cur.var());
    const seq = cur.var();
    return { ms, seq };
  }

  flagsAt(off: number): number {
    return this.buf[off];
  }

  /** Field/value pairs of the entry at `off`, flat. */
  fieldsAt(off: number): string[] {
    const cur = new Cursor(this.buf);
    const flags = this.buf[off];
    cur.off = off + 1;
    cur.var();
    cur.var();
    const out: string[] = [];
    if (flags & F_SAMEFIELDS) {
      const mf = this.fields;
      for (let i = 0; i < mf.length; i++) out.push(mf[i], cur.str());
    } else {
      const n = cur.varNum();
      for (let i = 0; i < n; i++) out.push(cur.str(), cur.str());
    }
    return out;
  }

  /** Marks the entry at `off` deleted (it must be live). */
  markDeleted(off: number): void {
    this.buf[off] |= F_DELETED;
    this.count--;
    this.deleted++;
  }

  clone(): StreamNode {
    const n = new StreamNode({ ms: this.ms, seq: this.seq }, this.fields, 1);
    n.buf = Buffer.allocUnsafeSlow(Math.max(1, this.len));
    this.buf.copy(n.buf, 0, 0, this.len);
    n.len = this.len;
    n.count = this.count;
    n.deleted = this.deleted;
    n.lastMs = this.lastMs;
    n.lastSeq = this.lastSeq;
    n.lpMaster = this.lpMaster;
    n.lpEntries = this.lpEntries;
    return n;
  }
}

/** One entry as commands read it. */
export interface StreamEntry {
  id: StreamID;
  /** field, value, field, value... */
  fv: string[];
}

// ---- consumer groups ----------------------------------------------------------------------

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is not known. */
export const ENTRIES_READ_INVALID = -1;

/** A pending entry: delivered to a consumer, not yet acknowledged. */
export class Nack {
  constructor(
    public id: StreamID,
    public consumer: Consumer,
    /** Last delivery, ms since the epoch. */
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

/** A sorted array of pending entries by ID (a PEL). */
export class Pel {
  items: Nack[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first entry with an ID >= id. */
  lowerBound(id: StreamID): number {
    const a = this.items;
    const n = a.length;
    if (n === 0 || cmpId(a[n - 1].id, id) < 0) return n;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpId(a[mid].id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): Nack | undefined {
    const i = this.lowerBound(id);
    const e = this.items[i];
    return e !== undefined && cmpId(e.id, id) === 0 ? e : undefined;
  }

  /** Inserts a NACK whose ID is not in the PEL. */
  insert(n: Nack): void {
    const i = this.lowerBound(n.id);
    if (i === this.items.length) this.items.push(n);
    else this.items.splice(i, 0, n);
  }

  remove(id: StreamID): Nack | undefined {
    const i = this.lowerBound(id);
    const e = this.items[i];
    if (e === undefined || cmpId(e.id, id) !== 0) return undefined;
    this.items.splice(i, 1);
    return e;
  }
}

export class Consumer {
  pel = new Pel();
  constructor(
    public name: string,
    /** Last attempted interaction (XREADGROUP, XCLAIM, XAUTOCLAIM), ms. */
    public seenTime: number,
    /** Last successful interaction (Redis 7.2's active-time), ms; -1: never. */
    public activeTime: number,
  ) {}
}

export class ConsumerGroup {
  pel = new Pel();
  consumers = new Map<string, Consumer>();
  constructor(
    public name: string,
    public lastId: StreamID,
    /** Logical read counter; ENTRIES_READ_INVALID when not known. */
    public entriesRead: number,
  ) {}

  /** Consumers in Redis's (byte) order. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

// ---- the stream -------------------------------------------------------------------------

export interface NodeLimits {
  /** stream-node-max-bytes (0: no limit but the 1 GB cap). */
  maxBytes: number;
  /** stream-node-max-entries (0: no limit). */
  maxEntries: number;
}

export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

export interface TrimArgs {
  strategy: number;
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  /** Most entries removed (0: no limit). */
  limit: number;
}

export class Stream {
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamID = ID_ZERO;
  maxDeletedId: StreamID = ID_ZERO;
  entriesAdded = 0;
  groups: Map<string, ConsumerGroup> | null = null;

  /**
   * Appends an entry with an ID above lastId. Returns false when the strings are too
   * big for a node (Redis's ERANGE: "Elements are too large to be stored").
   */
  append(id: StreamID, fv: readonly string[], start: number, nfields: number, lim: NodeLimits): boolean {
    let total = 0;
    for (let i = 0; i < 2 * nfields; i++) total += fv[start + i].length;
    if (total > STREAM_NODE_MAX_BYTES_CAP) return false;
    let node = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : undefined;
    if (node !== undefined) {
      let maxBytes = lim.maxBytes;
      if (maxBytes === 0 || maxBytes > STREAM_NODE_MAX_BYTES_CAP) maxBytes = STREAM_NODE_MAX_BYTES_CAP;
      if (node.lpBytes() + total >= maxBytes || (lim.maxEntries !== 0 && node.count + node.deleted >= lim.maxEntries)) {
        node.shrink();
        node = undefined;
      }
    }
    if (node === undefined) {
      const fields: string[] = [];
      for (let i = 0; i < nfields; i++) fields.push(fv[start + 2 * i]);
      node = new StreamNode(id, fields, Math.min(4096, 64 + 2 * total));
      this.nodes.push(node);
    }
    node.append(id, fv, start, nfields);
    this.length++;
    this.lastId = id;
    this.entriesAdded++;
    return true;
  }

  /** Index of the node that may hold `id` (the last with master ID <= id), or 0. */
  private nodeFor(id: StreamID): number {
    const a = this.nodes;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = a[mid];
      const c = n.ms !== id.ms ? (n.ms < id.ms ? -1 : 1) : n.seq !== id.seq ? (n.seq < id.seq ? -1 : 1) : 0;
      if (c <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
  }

  /**
   * Visits live entries with start <= ID <= end, forward or (rev) backward, until
   * `visit` returns false. `withDeleted` visits tombstones too (flag in the call).
   */
  scan(
    start: StreamID,
    end: StreamID,
    rev: boolean,
    visit: (node: StreamNode, off: number, id: StreamID, flags: number) => boolean,
    withDeleted = false,
  ): void {
    const nodes = this.nodes;
    if (nodes.length === 0 || cmpId(start, end) > 0) return;
    if (!rev) {
      for (let ni = this.nodeFor(start); ni < nodes.length; ni++) {
        const node = nodes[ni];
        if (cmpId(node.masterId, end) > 0) return;
        if (cmpId(node.lastId, start) < 0) continue;
        for (const off of node.offsets()) {
          const flags = node.flagsAt(off);
          if (!withDeleted && flags & F_DELETED) continue;
          const id = node.idAt(off);
          if (cmpId(id, start) < 0) continue;
          if (cmpId(id, end) > 0) return;
          if (!visit(node, off, id, flags)) return;
        }
      }
    } else {
      for (let ni = this.nodeFor(end); ni >= 0; ni--) {
        const node = nodes[ni];
        if (cmpId(node.lastId, start) < 0) return;
        if (cmpId(node.masterId, end) > 0) continue;
        const offs = node.offsets();
        for (let i = offs.length - 1; i >= 0; i--) {
          const off = offs[i];
          const flags = node.flagsAt(off);
          if (!withDeleted && flags & F_DELETED) continue;
          const id = node.idAt(off);
          if (cmpId(id, end) > 0) continue;
          if (cmpId(id, start) < 0) return;
          if (!visit(node, off, id, flags)) return;
        }
      }
    }
  }

  /** Up to `count` (0: all) live entries in [start, end]. */
  range(start: StreamID, end: StreamID, rev: boolean, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    this.scan(start, end, rev, (node, off, id) => {
      out.push({ id, fv: node.fieldsAt(off) });
      return count === 0 || out.length < count;
    });
    return out;
  }

  /** The live entry with this ID, or undefined. */
  get(id: StreamID): StreamEntry | undefined {
    let found: StreamEntry | undefined;
    this.scan(id, id, false, (node, off, eid) => {
      found = { id: eid, fv: node.fieldsAt(off) };
      return false;
    });
    return found;
  }

  has(id: StreamID): boolean {
    let found = false;
    this.scan(id, id, false, () => {
      found = true;
      return false;
    });
    return found;
  }

  /** The first (or last) live entry, or undefined when empty. */
  edge(first: boolean): StreamEntry | undefined {
    let found: StreamEntry | undefined;
    this.scan(ID_ZERO, ID_MAX, !first, (node, off, id) => {
      found = { id, fv: node.fieldsAt(off) };
      return false;
    });
    return found;
  }

  /** First live ID (0-0 when empty), as Redis's s->first_id. */
  firstId(): StreamID {
    const e = this.edge(true);
    return e === undefined ? ID_ZERO : e.id;
  }

  /** The first ID, tombstones included (streamGetEdgeID(s,1,0)); max-max when there is none. */
  firstIdWithTombstones(): StreamID {
    let found: StreamID = ID_MAX;
    this.scan(
      ID_ZERO,
      ID_MAX,
      false,
      (_n, _o, id) => {
        found = id;
        return false;
      },
      true,
    );
    return found;
  }

  /** Deletes the live entry `id`: true when it existed. The node goes when its last live entry does. */
  delete(id: StreamID): boolean {
    let done = false;
    this.scan(id, id, false, (node, off) => {
      if (node.count === 1) {
        this.nodes.splice(this.nodes.indexOf(node), 1);
      } else {
        node.markDeleted(off);
      }
      this.length--;
      done = true;
      return false;
    });
    return done;
  }

  /** Redis's streamTrim: returns the number of entries removed. */
  trim(args: TrimArgs): number {
    const { strategy, maxlen, minid, approx, limit } = args;
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (strategy === TRIM_MAXLEN && this.length <= maxlen) break;
      const node = this.nodes[0];
      const entries = node.count;
      if (limit !== 0 && deleted + entries > limit) break;
      const removeNode = strategy === TRIM_MAXLEN ? this.length - entries >= maxlen : cmpId(node.lastId, minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      for (const off of node.offsets()) {
        if (strategy === TRIM_MAXLEN) {
          if (this.length <= maxlen) break;
        } else if (cmpId(node.idAt(off), minid) >= 0) {
          break;
        }
        if (!(node.flagsAt(off) & F_DELETED)) {
          node.markDeleted(off);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    return deleted;
  }

  // ---- groups ----

  group(name: string): ConsumerGroup | undefined {
    return this.groups === null ? undefined : this.groups.get(name);
  }

  /** Groups in Redis's (byte) order. */
  sortedGroups(): ConsumerGroup[] {
    if (this.groups === null) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createGroup(name: string, id: StreamID, entriesRead: number): ConsumerGroup | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(name, id, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Whether a tombstone may lie in [start, end] (streamRangeHasTombstones). */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    if (this.length === 0 || idIsZero(this.maxDeletedId)) return false;
    if (cmpId(this.firstId(), this.maxDeletedId) > 0) return false;
    const s = start ?? ID_ZERO;
    const e = end ?? ID_MAX;
    return cmpId(s, this.maxDeletedId) <= 0 && cmpId(this.maxDeletedId, e) <= 0;
  }

  /** The logical read counter of `id`, or ENTRIES_READ_INVALID (streamEstimateDistanceFromFirstEverEntry). */
  estimateDistance(id: StreamID): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && cmpId(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = cmpId(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_INVALID;
    const first = this.firstId();
    const cmpFirst = cmpId(id, first);
    if (idIsZero(this.maxDeletedId) || cmpId(this.maxDeletedId, first) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return ENTRIES_READ_INVALID;
  }

  /** The group's lag, or null when it cannot be known (streamCGLag). */
  lag(g: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(g.lastId, null)) {
      return this.entriesAdded - g.entriesRead;
    }
    const er = this.estimateDistance(g.lastId);
    return er !== ENTRIES_READ_INVALID ? this.entriesAdded - er : null;
  }

  /** An independent copy (COPY): entries, counters and groups. */
  clone(): Stream {
    const s = new Stream();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const g of this.groups.values()) {
        const ng = new ConsumerGroup(g.name, g.lastId, g.entriesRead);
        for (const c of g.consumers.values()) ng.consumers.set(c.name, new Consumer(c.name, c.seenTime, c.activeTime));
        for (const n of g.pel.items) {
          const owner = ng.consumers.get(n.consumer.name)!;
          const nn = new Nack(n.id, owner, n.deliveryTime, n.deliveryCount);
          ng.pel.items.push(nn);
          owner.pel.items.push(nn);
        }
        s.groups.set(g.name, ng);
      }
    }
    return s;
  }

  /** Bytes this stream takes (MEMORY USAGE and the dataset accounting): node buffers and objects, groups. */
  memoryUsage(): number {
    let n = 120;
    for (const node of this.nodes) n += 160 + node.buf.length;
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        n += 200 + g.pel.size * 72;
        for (const c of g.consumers.values()) n += 150 + c.name.length + c.pel.size * 8;
      }
    }
    return n;
  }
}
