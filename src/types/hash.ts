// The value of a hash key: RHashValue, with the subset of the Map<string, string>
// surface the code uses (get, set, has, delete, size, keys, values, entries,
// iteration, forEach) plus a few methods for the hot paths (put, putPairs, flat).
//
// Two representations, like Redis's listpack / hashtable:
//
//   compact  all the pairs packed into ONE one-byte string, in insertion order:
//              <len(field)> field <len(value)> value  <len(field)> field ...
//            where len(x) is x.length as a little-endian base-128 varint of
//            latin1 characters (one character below 128, which is every field and
//            value within the default hash-max-listpack-value of 64). Lookups are a
//            linear walk comparing lengths first; every change builds a new flat
//            string (Array.prototype.join on a scratch array of at least two
//            non-empty parts: a sequential string, never a ConsString tree keeping
//            the pieces alive nor a SlicedString keeping the old packed string).
//            A hash of 10 fields of 7 bytes and values of 16 bytes takes one 272-byte
//            string plus this 48-byte object, instead of a JS Map (~520 bytes) and 20
//            separate strings (~560 bytes).
//   map      a Map<string, string> (after toHashtable(); never goes back).
//
// The class knows nothing of the limits: the hash commands decide when to call
// toHashtable() (hash-max-listpack-entries / hash-max-listpack-value, see
// src/commands/hashes.ts) and keep RObj.enc in step (ENC_BIG iff map form).
//
// Fields and values are binary strings (one char per byte, <= 0xFF); the packed
// string then stays one-byte. Values returned by get() are slices of the packed
// string (V8 may share its storage); they are immutable like every JS string.
//
// Iteration order is insertion order in both forms (a value replaced in place keeps
// its position), the same as the Map this class replaces; conversion keeps the order.

/**
 * Scratch array for building packed strings with one join (single-threaded). Filled
 * by index and cut to length before each join; the strings it still references
 * after a join are overwritten by the next one.
 */
const parts: string[] = [];

function join2(a: string, b: string): string {
  parts[0] = a;
  parts[1] = b;
  parts.length = 2;
  return parts.join('');
}

function join4(a: string, b: string, c: string, d: string): string {
  parts[0] = a;
  parts[1] = b;
  parts[2] = c;
  parts[3] = d;
  parts.length = 4;
  return parts.join('');
}

function join5(a: string, b: string, c: string, d: string, e: string): string {
  parts[0] = a;
  parts[1] = b;
  parts[2] = c;
  parts[3] = d;
  parts[4] = e;
  parts.length = 5;
  return parts.join('');
}

/** Results of the last find(): positions in the packed string. */
let fEntry = 0; // start of the entry (the field's length prefix)
let fVPrefix = 0; // start of the value's length prefix
let fVStart = 0; // first character of the value
let fEnd = 0; // end of the entry (start of the next one)

/** Position after the varint read by readLenSlow. */
let rdEnd = 0;

function readLenSlow(lp: string, p: number): number {
  let c = lp.charCodeAt(p++);
  let len = c & 0x7f;
  let mul = 128;
  while (c >= 0x80) {
    c = lp.charCodeAt(p++);
    len += (c & 0x7f) * mul;
    mul *= 128;
  }
  rdEnd = p;
  return len;
}

/**
 * Whether lp[at, at + n) equals s (n = s.length), compared from the end: fields that
 * differ at all usually differ in their last characters (counters, ids), and a
 * char loop beats startsWith() for short strings.
 */
function sameAt(lp: string, at: number, s: string, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (lp.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
}

/** The varint length prefix of a string of `n` characters. */
function lenPrefix(n: number): string {
  if (n < 0x80) return String.fromCharCode(n); // single-char strings are cached by V8
  let s = '';
  while (n >= 0x80) {
    s += String.fromCharCode((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return s + String.fromCharCode(n);
}

/**
 * Walks a packed string and fills parts with [f0, v0, f1, v1, ...] (slices).
 * `which`: 0 = fields and values, 1 = fields only, 2 = values only.
 */
function unpack(lp: string, which: number, out: string[]): void {
  const end = lp.length;
  let p = 0;
  while (p < end) {
    let len = lp.charCodeAt(p);
    if (len < 0x80) p++;
    else {
      len = readLenSlow(lp, p);
      p = rdEnd;
    }
    const fs = p;
    p += len;
    if (which !== 2) out.push(lp.slice(fs, p));
    len = lp.charCodeAt(p);
    if (len < 0x80) p++;
    else {
      len = readLenSlow(lp, p);
      p = rdEnd;
    }
    const vs = p;
    p += len;
    if (which !== 1) out.push(lp.slice(vs, p));
  }
}

/** Iterator over a packed string: kind 0 = [field, value] pairs, 1 = fields, 2 = values. */
class PackedIterator<T> implements IterableIterator<T> {
  private lp: string;
  private p: number;
  private kind: number;
  constructor(lp: string, kind: number) {
    this.lp = lp;
    this.p = 0;
    this.kind = kind;
  }
  next(): IteratorResult<T> {
    const lp = this.lp;
    let p = this.p;
    if (p >= lp.length) return { done: true, value: undefined };
    let len = lp.charCodeAt(p);
    if (len < 0x80) p++;
    else {
      len = readLenSlow(lp, p);
      p = rdEnd;
    }
    const fs = p;
    p += len;
    const fe = p;
    len = lp.charCodeAt(p);
    if (len < 0x80) p++;
    else {
      len = readLenSlow(lp, p);
      p = rdEnd;
    }
    const vs = p;
    p += len;
    this.p = p;
    const kind = this.kind;
    const value =
      kind === 1 ? lp.slice(fs, fe) : kind === 2 ? lp.slice(vs, p) : [lp.slice(fs, fe), lp.slice(vs, p)];
    return { done: false, value: value as T };
  }
  [Symbol.iterator](): IterableIterator<T> {
    return this;
  }
}

export class RHashValue {
  /** Compact form: the packed pairs ('' when empty, and always '' in map form). */
  lp: string;
  /** Compact form: the number of pairs (0 in map form). */
  n: number;
  /** Map form, or null while compact. */
  map: Map<string, string> | null;

  constructor() {
    this.lp = '';
    this.n = 0;
    this.map = null;
  }

  /** A hash in map form holding `m` (taken over, not copied). */
  static fromMap(m: Map<string, string>): RHashValue {
    const h = new RHashValue();
    h.map = m;
    return h;
  }

  /** A compact hash of the given pairs (later duplicates replace earlier values). */
  static fromPairs(pairs: Iterable<readonly [string, string]>): RHashValue {
    const h = new RHashValue();
    for (const [f, v] of pairs) h.put(f, v);
    return h;
  }

  get size(): number {
    return this.map === null ? this.n : this.map.size;
  }

  /** True while in the compact (listpack-like) form. */
  get compact(): boolean {
    return this.map === null;
  }

  /** Switches to the map form (no-op when already there). Never goes back. */
  toHashtable(): void {
    if (this.map !== null) return;
    const m = new Map<string, string>();
    const lp = this.lp;
    if (lp.length > 0) {
      const out: string[] = [];
      unpack(lp, 0, out);
      for (let i = 0; i < out.length; i += 2) m.set(out[i], out[i + 1]);
    }
    this.map = m;
    this.lp = '';
    this.n = 0;
  }

  /** Position of `field`'s value prefix in the packed string, or -1 (sets the f* positions). */
  private find(field: string): number {
    const lp = this.lp;
    const end = lp.length;
    const fl = field.length;
    let p = 0;
    while (p < end) {
      const entry = p;
      let len = lp.charCodeAt(p);
      if (len < 0x80) p++;
      else {
        len = readLenSlow(lp, p);
        p = rdEnd;
      }
      const fs = p;
      p += len;
      const match = len === fl && sameAt(lp, fs, field, fl);
      const vp = p;
      len = lp.charCodeAt(p);
      if (len < 0x80) p++;
      else {
        len = readLenSlow(lp, p);
        p = rdEnd;
      }
      if (match) {
        fEntry = entry;
        fVPrefix = vp;
        fVStart = p;
        fEnd = p + len;
        return vp;
      }
      p += len;
    }
    return -1;
  }

  get(field: string): string | undefined {
    if (this.map !== null) return this.map.get(field);
    if (this.find(field) < 0) return undefined;
    return this.lp.slice(fVStart, fEnd);
  }

  has(field: string): boolean {
    if (this.map !== null) return this.map.has(field);
    return this.find(field) >= 0;
  }

  /** Length of a field's value, or -1 when the field is missing (no string made). */
  valueLength(field: string): number {
    if (this.map !== null) {
      const v = this.map.get(field);
      return v === undefined ? -1 : v.length;
    }
    return this.find(field) < 0 ? -1 : fEnd - fVStart;
  }

  /** Sets a field; returns true when the field is new. */
  put(field: string, value: string): boolean {
    const m = this.map;
    if (m !== null) {
      const before = m.size;
      m.set(field, value);
      return m.size !== before;
    }
    const lp = this.lp;
    const vl = value.length;
    if (this.find(field) < 0) {
      this.lp = join5(lp, lenPrefix(field.length), field, lenPrefix(vl), value);
      this.n++;
      return true;
    }
    if (fEnd - fVStart === vl && lp.startsWith(value, fVStart)) return false; // same value
    this.lp = join4(lp.slice(0, fVPrefix), lenPrefix(vl), value, lp.slice(fEnd));
    return false;
  }

  /**
   * Sets the pairs argv[start], argv[start+1], ... up to argv[end] (inclusive, an odd
   * count of arguments from an even start offset); returns how many fields were new.
   * In compact form, when every field is new and distinct the packed string is
   * rebuilt once for all of them.
   */
  putPairs(argv: readonly string[], start: number, end: number): number {
    if (this.map === null) {
      let fresh = true;
      for (let i = start; i < end && fresh; i += 2) {
        const f = argv[i];
        for (let j = start; j < i; j += 2) {
          if (argv[j] === f) {
            fresh = false;
            break;
          }
        }
        if (fresh && this.n > 0 && this.find(f) >= 0) fresh = false;
      }
      if (fresh) {
        let j = 0;
        parts[j++] = this.lp;
        for (let i = start; i < end; i += 2) {
          const f = argv[i];
          const v = argv[i + 1];
          parts[j++] = lenPrefix(f.length);
          parts[j++] = f;
          parts[j++] = lenPrefix(v.length);
          parts[j++] = v;
        }
        parts.length = j;
        this.lp = parts.join('');
        const k = (end - start + 1) >>> 1;
        this.n += k;
        return k;
      }
    }
    let created = 0;
    for (let i = start; i < end; i += 2) if (this.put(argv[i], argv[i + 1])) created++;
    return created;
  }

  /** Map-compatible set. */
  set(field: string, value: string): this {
    this.put(field, value);
    return this;
  }

  delete(field: string): boolean {
    if (this.map !== null) return this.map.delete(field);
    if (this.find(field) < 0) return false;
    if (--this.n === 0) {
      this.lp = '';
      return true;
    }
    // Two non-empty parts: join returns a lone non-empty part as it is, which would
    // be a slice keeping the old packed string alive. Every entry has >= 2 chars.
    const lp = this.lp;
    if (fEntry === 0) this.lp = join2(lp.slice(fEnd, fEnd + 1), lp.slice(fEnd + 1));
    else if (fEnd === lp.length) this.lp = join2(lp.slice(0, fEntry - 1), lp.slice(fEntry - 1, fEntry));
    else this.lp = join2(lp.slice(0, fEntry), lp.slice(fEnd));
    return true;
  }

  clear(): void {
    if (this.map !== null) this.map.clear();
    this.lp = '';
    this.n = 0;
  }

  /** [f0, v0, f1, v1, ...] in iteration order (a new array). */
  flat(): string[] {
    const out: string[] = [];
    if (this.map !== null) {
      for (const [f, v] of this.map) out.push(f, v);
    } else unpack(this.lp, 0, out);
    return out;
  }

  /** The fields in iteration order (a new array). */
  fieldArray(): string[] {
    if (this.map !== null) return Array.from(this.map.keys());
    const out: string[] = [];
    unpack(this.lp, 1, out);
    return out;
  }

  /** The values in iteration order (a new array). */
  valueArray(): string[] {
    if (this.map !== null) return Array.from(this.map.values());
    const out: string[] = [];
    unpack(this.lp, 2, out);
    return out;
  }

  keys(): IterableIterator<string> {
    if (this.map !== null) return this.map.keys();
    return new PackedIterator<string>(this.lp, 1);
  }

  values(): IterableIterator<string> {
    if (this.map !== null) return this.map.values();
    return new PackedIterator<string>(this.lp, 2);
  }

  entries(): IterableIterator<[string, string]> {
    if (this.map !== null) return this.map.entries();
    return new PackedIterator<[string, string]>(this.lp, 0);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  forEach(fn: (value: string, field: string, h: RHashValue) => void, thisArg?: unknown): void {
    const a = this.flat();
    for (let i = 0; i < a.length; i += 2) fn.call(thisArg, a[i + 1], a[i], this);
  }

  /** An independent copy in the same form (the packed string is shared: strings are immutable). */
  clone(): RHashValue {
    const h = new RHashValue();
    if (this.map !== null) h.map = new Map(this.map);
    else {
      h.lp = this.lp;
      h.n = this.n;
    }
    return h;
  }

  /** Characters of the packed string (compact form; 0 in map form), for the memory model. */
  get packedLength(): number {
    return this.lp.length;
  }
}
