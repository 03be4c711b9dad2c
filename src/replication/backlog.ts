// The replication backlog: the last `repl-backlog-size` bytes of the replication
// stream, kept in a ring so that a replica whose link dropped can continue from
// the offset it reached (PSYNC <replid> <offset>) instead of a full resync.
//
// Offsets are replication offsets as Redis counts them: the stream's first byte
// has offset 1, `master_repl_offset` is the offset of the last byte produced, and
// the backlog holds the bytes [offset, offset + histlen). A PSYNC asking for
// offset `o` can be served when offset <= o <= offset + histlen (o equal to the
// end means "nothing missing").
//
// Memory is taken as the stream fills it (doubling up to the configured size), as
// Redis 7 allocates its replication buffer lazily: a 1 GB backlog on an idle
// primary costs nothing. Once full the ring wraps and the oldest bytes go.

import { constants as bufferConstants } from 'node:buffer';

/** Largest ring a Buffer can hold; a bigger repl-backlog-size is clamped to it. */
export const BACKLOG_BYTES_MAX = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);
/** First allocation; the ring doubles from here up to its configured size. */
const BACKLOG_INITIAL_BYTES = 16 * 1024;

export class Backlog {
  private ring: Buffer;
  /** Configured capacity (repl-backlog-size, clamped). */
  private capacity: number;
  /** Replication offset of the oldest byte held (Redis's repl_backlog->offset). */
  offset: number;
  /** Bytes held. */
  histlen = 0;
  /** Ring index where the next byte goes. */
  private idx = 0;

  /** `startOffset`: the offset the next byte fed will have (master_repl_offset + 1). */
  constructor(size: number, startOffset: number) {
    this.capacity = clampSize(size);
    this.ring = Buffer.allocUnsafe(Math.min(this.capacity, BACKLOG_INITIAL_BYTES));
    this.offset = startOffset;
  }

  /** Configured size in bytes. */
  get size(): number {
    return this.capacity;
  }

  /** Bytes of memory the ring holds now (INFO mem_replication_backlog). */
  get allocated(): number {
    return this.ring.length;
  }

  /** Offset of the last byte held (offset - 1 when empty). */
  get endOffset(): number {
    return this.offset + this.histlen - 1;
  }

  /** Appends data[start, end) to the stream. */
  append(data: Buffer, start = 0, end = data.length): void {
    let n = end - start;
    if (n <= 0) return;
    this.growFor(n);
    const cap = this.ring.length;
    if (n >= cap) {
      // Only the last `cap` bytes can be kept.
      const dropped = this.histlen + n - cap;
      data.copy(this.ring, 0, end - cap, end);
      this.idx = 0;
      this.histlen = cap;
      this.offset += dropped;
      return;
    }
    const first = Math.min(n, cap - this.idx);
    data.copy(this.ring, this.idx, start, start + first);
    this.idx += first;
    if (this.idx === cap) this.idx = 0;
    n -= first;
    if (n > 0) {
      data.copy(this.ring, 0, start + first, end);
      this.idx = n;
    }
    this.histlen += end - start;
    if (this.histlen > cap) {
      this.offset += this.histlen - cap;
      this.histlen = cap;
    }
  }

  /** True when the bytes from offset `from` to the end are all held. */
  covers(from: number): boolean {
    return from >= this.offset && from <= this.offset + this.histlen;
  }

  /**
   * A copy of the bytes from offset `from` to the end (the caller checked
   * covers(from)). A copy, because the ring is overwritten by later appends while
   * a socket may still hold what it was given.
   */
  copyFrom(from: number): Buffer {
    const skip = from - this.offset;
    const len = this.histlen - skip;
    const out = Buffer.allocUnsafe(len);
    if (len === 0) return out;
    const cap = this.ring.length;
    const start = (this.idx - this.histlen + skip + 2 * cap) % cap;
    const first = Math.min(len, cap - start);
    this.ring.copy(out, 0, start, start + first);
    if (first < len) this.ring.copy(out, first, 0, len - first);
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps the most recent bytes that still fit. */
  resize(size: number): void {
    const capacity = clampSize(size);
    if (capacity === this.capacity) return;
    const keep = Math.min(this.histlen, capacity);
    const data = this.copyFrom(this.offset + this.histlen - keep);
    this.capacity = capacity;
    this.ring = Buffer.allocUnsafe(Math.min(capacity, Math.max(keep, BACKLOG_INITIAL_BYTES)));
    data.copy(this.ring, 0);
    this.offset += this.histlen - keep;
    this.histlen = keep;
    this.idx = keep === this.ring.length ? 0 : keep;
  }

  /** Grows the ring (while it has not reached its capacity) so `n` more bytes fit without dropping. */
  private growFor(n: number): void {
    const cur = this.ring.length;
    if (cur >= this.capacity || this.histlen + n <= cur) return;
    let size = cur * 2;
    while (size < this.histlen + n && size < this.capacity) size *= 2;
    size = Math.min(size, this.capacity);
    // Unwrap into the new ring: oldest byte first.
    const data = this.copyFrom(this.offset);
    const ring = Buffer.allocUnsafe(size);
    data.copy(ring, 0);
    this.ring = ring;
    this.idx = this.histlen === size ? 0 : this.histlen;
  }
}

function clampSize(size: number): number {
  if (!Number.isFinite(size) || size < 1) return 1;
  return Math.min(Math.floor(size), BACKLOG_BYTES_MAX);
}
