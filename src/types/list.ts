// List: the value type behind the LIST commands.
//
// Representation: a deque kept in a growable ring buffer of binary strings (latin1,
// one char per byte). The capacity is always a power of two (at least MIN_CAPACITY);
// it doubles when full and halves when the list becomes sparse (fewer than a quarter
// of the cells in use), so pushes and pops at either end are O(1) amortized and a
// list that once was large does not keep its memory forever. Vacated cells are
// cleared so the strings they held can be collected.
//
// API (indices are 0-based; "normalized" ranges are inclusive and already converted
// from negative form by the caller, though out-of-range bounds are clamped
// defensively):
//
//   new RList()                      empty list
//   RList.from(values)               list holding the values of an iterable, in order
//   length                           number of elements
//   byteSize                         sum of the lengths of all elements (bytes)
//   lpBytes                          estimated size in bytes of the list serialized
//                                    as one listpack (see listpackEntrySize)
//   pushTail(v) / pushHead(v)        append at the tail (RPUSH) / the head (LPUSH)
//   popHead() / popTail()            remove and return an end element, or undefined
//                                    when the list is empty
//   at(i)                            element at index i, or undefined when i is out
//                                    of range
//   set(i, v)                        replace element i (RangeError when out of range)
//   range(start, stop)               elements start..stop as an array (LRANGE);
//                                    [] when start > stop after clamping
//   insertAt(i, v)                   insert v so that it becomes element i,
//                                    0 <= i <= length (i == length appends); moves
//                                    whichever side of i is shorter
//   removeAt(i)                      remove and return element i, moving the shorter
//                                    side (RangeError when out of range)
//   iter(reverse = false)            generator of [index, value], head to tail (or
//                                    tail to head); do not mutate while iterating.
//                                    LPOS/LINSERT pivot searches are built on this.
//   remove(value, count)             LREM: count > 0 removes the first `count`
//                                    occurrences from the head, count < 0 the first
//                                    |count| from the tail, 0 all; returns how many
//                                    were removed; O(n)
//   trim(start, stop)                LTRIM: keep only start..stop; start > stop (after
//                                    clamping) empties the list
//   clear()                          remove everything
//   clone()                          independent copy (the encoding flag is copied too)
//   toArray()                        all elements, head first
//
// Encoding (what OBJECT ENCODING reports). Redis 7.2 keeps a small list as a single
// listpack and converts it to a quicklist when it outgrows list-max-listpack-size;
// it converts back only when the list has shrunk to half of that limit. Here:
//
//   listpackLimits(fill)             { maxBytes, maxCount } of one listpack node for a
//                                    list-max-listpack-size value `fill`: positive N
//                                    means at most N entries (and, as in Redis, never
//                                    more than 8 KB); 0 behaves as 1; -1..-5 mean at most
//                                    4/8/16/32/64 KB; below -5 is treated as -5
//   listEncoding(list, fill)         'listpack' when the list as it is now would fit in
//                                    one listpack node, else 'quicklist' (pure: no
//                                    hysteresis, ignores the flag)
//   list.encodedAsQuicklist          the flag holding the current encoding
//   list.encoding                    'quicklist' when the flag is set, else 'listpack'
//                                    (use this for OBJECT ENCODING)
//   list.updateEncoding(fill, op)    call after every write: converts to quicklist when
//                                    the list no longer fits (unless op = 'shrink'),
//                                    and back to listpack when it fits in half the
//                                    limits (unless op = 'grow'); returns the encoding.
//                                    'grow' suits pushes/inserts, 'shrink' pops/LREM/
//                                    LTRIM, 'any' (the default) does both checks.
//   listpackEntrySize(v)             estimated bytes of one listpack entry holding v
//                                    (strings that are canonical 64-bit integers are
//                                    stored as integers, as listpack does)

const MIN_CAPACITY = 8;

/** Bytes of a listpack's header (total bytes + element count) plus its end marker. */
const LISTPACK_HEADER_BYTES = 7;

/** Size limits of list-max-listpack-size -1..-5, in bytes. */
const LISTPACK_SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];

/** The size cap Redis applies to a node whose limit is an entry count. */
const COUNT_LIMITED_SAFETY_BYTES = 8192;

export type ListEncoding = 'listpack' | 'quicklist';

export class RList {
  private buf: Array<string | undefined>;
  private head = 0;
  private len = 0;
  private mask: number;
  private bytes = 0;
  private lpPayload = 0;
  /** Encoding flag: true once the list has been converted to a quicklist. */
  encodedAsQuicklist = false;

  constructor() {
    this.buf = new Array<string | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  static from(values: Iterable<string>): RList {
    const l = new RList();
    for (const v of values) l.pushTail(v);
    return l;
  }

  get length(): number {
    return this.len;
  }

  /** Sum of the lengths of all elements. */
  get byteSize(): number {
    return this.bytes;
  }

  /** Estimated size of the whole list as a single listpack. */
  get lpBytes(): number {
    return LISTPACK_HEADER_BYTES + this.lpPayload;
  }

  get encoding(): ListEncoding {
    return this.encodedAsQuicklist ? 'quicklist' : 'listpack';
  }

  // ---- internal helpers -------------------------------------------------------

  private cell(i: number): number {
    return (this.head + i) & this.mask;
  }

  private read(i: number): string {
    return this.buf[(this.head + i) & this.mask] as string;
  }

  private added(v: string): void {
    this.bytes += v.length;
    this.lpPayload += listpackEntrySize(v);
  }

  private dropped(v: string): void {
    this.bytes -= v.length;
    this.lpPayload -= listpackEntrySize(v);
  }

  /** Moves the elements into a fresh buffer of `cap` cells (cap >= len, power of 2). */
  private resize(cap: number): void {
    const nb = new Array<string | undefined>(cap);
    for (let i = 0; i < this.len; i++) nb[i] = this.read(i);
    this.buf = nb;
    this.head = 0;
    this.mask = cap - 1;
  }

  private ensureRoomForOne(): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
  }

  /** After removals: shrink while fewer than a quarter of the cells are in use. */
  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap <= MIN_CAPACITY || this.len >= cap >> 2) return;
    let target = cap >> 1;
    while (target > MIN_CAPACITY && this.len < target >> 2) target >>= 1;
    this.resize(target);
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.len) {
      throw new RangeError(`list index ${i} out of range (length ${this.len})`);
    }
  }

  // ---- ends --------------------------------------------------------------------

  pushTail(v: string): void {
    this.ensureRoomForOne();
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
    this.added(v);
  }

  pushHead(v: string): void {
    this.ensureRoomForOne();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
    this.added(v);
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head] as string;
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.dropped(v);
    if (this.len === 0) this.head = 0;
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const s = (this.head + this.len - 1) & this.mask;
    const v = this.buf[s] as string;
    this.buf[s] = undefined;
    this.len--;
    this.dropped(v);
    if (this.len === 0) this.head = 0;
    this.maybeShrink();
    return v;
  }

  // ---- random access -----------------------------------------------------------

  at(i: number): string | undefined {
    if (i < 0 || i >= this.len || !Number.isInteger(i)) return undefined;
    return this.read(i);
  }

  set(i: number, v: string): void {
    this.checkIndex(i);
    const s = this.cell(i);
    this.dropped(this.buf[s] as string);
    this.buf[s] = v;
    this.added(v);
  }

  range(start: number, stop: number): string[] {
    if (start < 0) start = 0;
    if (stop >= this.len) stop = this.len - 1;
    if (start > stop) return [];
    const out = new Array<string>(stop - start + 1);
    for (let i = start; i <= stop; i++) out[i - start] = this.read(i);
    return out;
  }

  insertAt(i: number, v: string): void {
    if (!Number.isInteger(i) || i < 0 || i > this.len) {
      throw new RangeError(`list insert position ${i} out of range (length ${this.len})`);
    }
    this.ensureRoomForOne();
    const buf = this.buf;
    const mask = this.mask;
    if (i < this.len - i) {
      // Move the i elements before the position one cell towards the head.
      const h = (this.head - 1) & mask;
      for (let k = 0; k < i; k++) buf[(h + k) & mask] = buf[(h + k + 1) & mask];
      this.head = h;
    } else {
      // Move the elements from the position on one cell towards the tail.
      const h = this.head;
      for (let k = this.len; k > i; k--) buf[(h + k) & mask] = buf[(h + k - 1) & mask];
    }
    buf[(this.head + i) & mask] = v;
    this.len++;
    this.added(v);
  }

  removeAt(i: number): string {
    this.checkIndex(i);
    const buf = this.buf;
    const mask = this.mask;
    const h = this.head;
    const v = buf[(h + i) & mask] as string;
    if (i < this.len - 1 - i) {
      // Move the elements before i one cell towards the tail.
      for (let k = i; k > 0; k--) buf[(h + k) & mask] = buf[(h + k - 1) & mask];
      buf[h] = undefined;
      this.head = (h + 1) & mask;
    } else {
      for (let k = i; k < this.len - 1; k++) buf[(h + k) & mask] = buf[(h + k + 1) & mask];
      buf[(h + this.len - 1) & mask] = undefined;
    }
    this.len--;
    this.dropped(v);
    if (this.len === 0) this.head = 0;
    this.maybeShrink();
    return v;
  }

  *iter(reverse = false): Generator<[number, string], void, undefined> {
    if (reverse) {
      for (let i = this.len - 1; i >= 0; i--) yield [i, this.read(i)];
    } else {
      for (let i = 0; i < this.len; i++) yield [i, this.read(i)];
    }
  }

  // ---- bulk operations ---------------------------------------------------------

  remove(value: string, count: number): number {
    const limit = count === 0 ? Infinity : Math.abs(count);
    const buf = this.buf;
    const mask = this.mask;
    const h = this.head;
    const n = this.len;
    let removed = 0;
    if (count >= 0) {
      // Compact towards the head: kept elements end up at 0..w-1.
      let w = 0;
      for (let r = 0; r < n; r++) {
        const v = buf[(h + r) & mask] as string;
        if (removed < limit && v === value) {
          removed++;
          continue;
        }
        if (w !== r) buf[(h + w) & mask] = v;
        w++;
      }
      for (let k = w; k < n; k++) buf[(h + k) & mask] = undefined;
      this.len = w;
    } else {
      // Compact towards the tail: kept elements end up at w+1..n-1.
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const v = buf[(h + r) & mask] as string;
        if (removed < limit && v === value) {
          removed++;
          continue;
        }
        if (w !== r) buf[(h + w) & mask] = v;
        w--;
      }
      for (let k = 0; k <= w; k++) buf[(h + k) & mask] = undefined;
      this.head = (h + w + 1) & mask;
      this.len = n - 1 - w;
    }
    if (removed > 0) {
      this.bytes -= removed * value.length;
      this.lpPayload -= removed * listpackEntrySize(value);
      if (this.len === 0) this.head = 0;
      this.maybeShrink();
    }
    return removed;
  }

  trim(start: number, stop: number): void {
    if (start < 0) start = 0;
    if (stop >= this.len) stop = this.len - 1;
    if (start > stop) {
      this.clear();
      return;
    }
    const buf = this.buf;
    const mask = this.mask;
    const h = this.head;
    for (let k = 0; k < start; k++) {
      const s = (h + k) & mask;
      this.dropped(buf[s] as string);
      buf[s] = undefined;
    }
    for (let k = stop + 1; k < this.len; k++) {
      const s = (h + k) & mask;
      this.dropped(buf[s] as string);
      buf[s] = undefined;
    }
    this.head = (h + start) & mask;
    this.len = stop - start + 1;
    this.maybeShrink();
  }

  clear(): void {
    this.buf = new Array<string | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
    this.bytes = 0;
    this.lpPayload = 0;
  }

  clone(): RList {
    const c = new RList();
    c.buf = this.buf.slice();
    c.head = this.head;
    c.len = this.len;
    c.mask = this.mask;
    c.bytes = this.bytes;
    c.lpPayload = this.lpPayload;
    c.encodedAsQuicklist = this.encodedAsQuicklist;
    return c;
  }

  toArray(): string[] {
    return this.range(0, this.len - 1);
  }

  // ---- encoding ----------------------------------------------------------------

  updateEncoding(fill: number, op: 'grow' | 'shrink' | 'any' = 'any'): ListEncoding {
    const lim = listpackLimits(fill);
    if (!this.encodedAsQuicklist) {
      if (op !== 'shrink' && !fitsListpack(this, lim.maxBytes, lim.maxCount)) {
        this.encodedAsQuicklist = true;
      }
    } else if (op !== 'grow') {
      // Redis halves both limits (integer division) when deciding to convert back.
      const maxBytes = lim.maxBytes === Infinity ? Infinity : Math.floor(lim.maxBytes / 2);
      const maxCount = lim.maxCount === Infinity ? Infinity : Math.floor(lim.maxCount / 2);
      if (this.lpBytes <= maxBytes && this.len <= maxCount) this.encodedAsQuicklist = false;
    }
    return this.encoding;
  }
}

export function listpackLimits(fill: number): { maxBytes: number; maxCount: number } {
  if (fill >= 0) {
    return { maxBytes: COUNT_LIMITED_SAFETY_BYTES, maxCount: fill === 0 ? 1 : fill };
  }
  const level = Math.min(-fill - 1, LISTPACK_SIZE_LEVELS.length - 1);
  return { maxBytes: LISTPACK_SIZE_LEVELS[level] as number, maxCount: Infinity };
}

function fitsListpack(list: RList, maxBytes: number, maxCount: number): boolean {
  return list.lpBytes <= maxBytes && list.length <= maxCount;
}

export function listEncoding(list: RList, listMaxListpackSize: number): ListEncoding {
  const lim = listpackLimits(listMaxListpackSize);
  return fitsListpack(list, lim.maxBytes, lim.maxCount) ? 'listpack' : 'quicklist';
}

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * If `v` is the canonical decimal form of a signed 64-bit integer (what listpack
 * stores as an integer), returns its value as a number (approximate beyond 2^53,
 * which is fine for sizing); otherwise undefined.
 */
function canonicalInt(v: string): number | undefined {
  const n = v.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const neg = v.charCodeAt(0) === 45; // '-'
  if (neg) {
    i = 1;
    if (n === 1) return undefined;
  }
  const first = v.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : undefined; // '0' alone; no leading zeros, no "-0"
  if (first < 49 || first > 57) return undefined;
  for (let k = i + 1; k < n; k++) {
    const c = v.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  const digits = n - i;
  if (digits > 19) return undefined;
  if (digits === 19) {
    const body = neg ? v.slice(1) : v;
    if (body > (neg ? INT64_MIN_DIGITS : INT64_MAX_DIGITS)) return undefined;
  }
  return Number(v);
}

/** Bytes one listpack entry holding `v` takes (encoding + payload + back-length). */
export function listpackEntrySize(v: string): number {
  const n = v.length;
  if (n <= 20) {
    const x = canonicalInt(v);
    if (x !== undefined) {
      if (x >= 0 && x <= 127) return 2;
      if (x >= -4096 && x <= 4095) return 3;
      if (x >= -32768 && x <= 32767) return 4;
      if (x >= -8388608 && x <= 8388607) return 5;
      if (x >= -2147483648 && x <= 2147483647) return 6;
      return 10;
    }
  }
  const entry = (n <= 63 ? 1 : n <= 4095 ? 2 : 5) + n;
  let back: number;
  if (entry <= 127) back = 1;
  else if (entry < 16383) back = 2;
  else if (entry < 2097151) back = 3;
  else if (entry < 268435455) back = 4;
  else back = 5;
  return entry + back;
}
