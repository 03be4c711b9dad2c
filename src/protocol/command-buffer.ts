// A growing buffer of RESP commands, encoded straight into bytes (binary strings:
// one char per byte, no string built per command). The AOF's write buffer, the
// writer of an AOF base made of commands, and the replication stream.

const DEFAULT_INITIAL_BYTES = 16 * 1024;
const DEFAULT_KEEP_BYTES = 1024 * 1024;

/** Writes a non-negative integer in decimal at `p`; returns the position after it. */
function putUint(b: Buffer, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    b[p] = 48 + ((n / 10) | 0);
    b[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  return p + b.write(String(n), p, 'latin1');
}

export class CommandBuffer {
  buf: Buffer;
  /** Bytes held (from buf[0]). */
  len = 0;
  private readonly initialBytes: number;
  /** After reset()/take(), a buffer grown past this is replaced by a small one. */
  private readonly keepBytes: number;

  constructor(initialBytes = DEFAULT_INITIAL_BYTES, keepBytes = DEFAULT_KEEP_BYTES) {
    this.initialBytes = initialBytes;
    this.keepBytes = keepBytes;
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private room(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** Appends argv as a RESP array of bulk strings; returns its byte length. */
  appendCommand(argv: readonly string[]): number {
    const start = this.len;
    const n = argv.length;
    let need = 16;
    for (let i = 0; i < n; i++) need += argv[i].length + 24;
    this.room(need);
    const b = this.buf;
    let p = this.len;
    b[p++] = 42; // '*'
    p = putUint(b, p, n);
    b[p++] = 13;
    b[p++] = 10;
    for (let i = 0; i < n; i++) {
      const s = argv[i];
      const l = s.length;
      b[p++] = 36; // '$'
      p = putUint(b, p, l);
      b[p++] = 13;
      b[p++] = 10;
      if (l <= 32) {
        for (let k = 0; k < l; k++) b[p + k] = s.charCodeAt(k);
        p += l;
      } else {
        p += b.write(s, p, l, 'latin1');
      }
      b[p++] = 13;
      b[p++] = 10;
    }
    this.len = p;
    return p - start;
  }

  /** Appends a binary string as it is (annotations such as `#TS:...`). */
  appendRaw(s: string): void {
    this.room(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }

  /** Appends bytes. */
  appendBytes(data: Buffer, start = 0, end = data.length): void {
    const n = end - start;
    this.room(n);
    data.copy(this.buf, this.len, start, end);
    this.len += n;
  }

  /** Drops the first `n` bytes (written out already). */
  consume(n: number): void {
    this.buf.copy(this.buf, 0, n, this.len);
    this.len -= n;
  }

  /** Empties the buffer (a grown one is replaced by a small one). */
  reset(): void {
    this.len = 0;
    if (this.buf.length > this.keepBytes) this.buf = Buffer.allocUnsafe(this.initialBytes);
  }

  /** The bytes held, as a Buffer of their own; then empties the buffer. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.reset();
    return out;
  }
}
