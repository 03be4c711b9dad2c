// Incremental parser of client requests: RESP multibulk (`*N\r\n$len\r\n...`) and
// inline commands (`SET a b\n`). Arguments come out as binary strings (latin1, one
// char per byte), so they can be used directly as Map keys and stored values.
//
// The parser never copies a big bulk argument more than once: when a `$len` header
// announces a bulk larger than BIG_ARG bytes and it has not fully arrived, a buffer
// of exactly that size is allocated and filled as chunks arrive (Redis does the
// same trick to avoid quadratic concatenation).
//
// Limits (checked where the input enters, as Redis does):
//  - proto-max-bulk-len: largest bulk argument.
//  - 1024*1024 arguments in one multibulk.
//  - 64 KiB for an inline request, a multibulk count line, or a bulk length line.
// A violation yields a ProtocolError with Redis's message; the server replies with
// it and closes the connection.

const CR = 13;
const LF = 10;
const INLINE_MAX_SIZE = 64 * 1024;
const MULTIBULK_MAX_ARGS = 1024 * 1024;
const BIG_ARG = 32 * 1024;
const EMPTY = Buffer.alloc(0);

/** V8's largest string is just under 512 MiB; one argument can never exceed it. */
export const MAX_STRING_LENGTH = (1 << 29) - 24;

export class ProtocolError extends Error {}

export interface ParserLimits {
  protoMaxBulkLen: number;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  // Multibulk state.
  private argsLeft = 0; // arguments still expected in the current multibulk
  private args: string[] = [];
  private bulkLen = -1; // length of the bulk being read, -1 when a $ header is expected
  private big: Buffer | null = null; // destination for a big bulk argument
  private bigFilled = 0;
  limits: ParserLimits;

  constructor(limits: ParserLimits) {
    this.limits = limits;
  }

  /** Bytes held but not yet parsed (the query buffer, as CLIENT LIST reports qbuf). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFilled : 0);
  }

  /** Bytes of query buffer allocated (qbuf + free space), for the query buffer limit. */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + (this.big ? this.big.length : 0);
  }

  feed(chunk: Buffer): void {
    if (this.big !== null) {
      const need = this.big.length - this.bigFilled;
      const n = Math.min(need, chunk.length);
      chunk.copy(this.big, this.bigFilled, 0, n);
      this.bigFilled += n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /**
   * Returns the next complete command (an argument array), or null when more input
   * is needed. Empty commands (`*0`, blank inline lines) are skipped.
   * Throws ProtocolError on malformed input.
   */
  next(): string[] | null {
    for (;;) {
      if (this.big !== null) {
        if (this.bigFilled < this.big.length) return null;
        const b = this.big;
        this.big = null;
        this.bigFilled = 0;
        if (b[b.length - 2] !== CR || b[b.length - 1] !== LF) throw new ProtocolError("Protocol error: expected '\\r\\n' after bulk");
        this.args.push(b.toString('latin1', 0, b.length - 2));
        this.bulkLen = -1;
        this.argsLeft--;
        if (this.argsLeft === 0) return this.finishMultibulk();
        continue;
      }
      const buf = this.buf;
      if (this.pos >= buf.length) {
        if (buf !== EMPTY) {
          this.buf = EMPTY;
          this.pos = 0;
        }
        return null;
      }
      if (this.argsLeft === 0) {
        // Start of a new request.
        if (buf[this.pos] === 42 /* * */) {
          const r = this.startMultibulk();
          if (r === 0) return null;
          if (r === 2) continue; // empty multibulk skipped
        } else {
          const cmd = this.parseInline();
          if (cmd === undefined) return null;
          if (cmd.length === 0) continue;
          return cmd;
        }
      }
      // Inside a multibulk: read arguments.
      const done = this.readBulks();
      if (done) return this.finishMultibulk();
      return null;
    }
  }

  private finishMultibulk(): string[] {
    const a = this.args;
    this.args = [];
    return a;
  }

  /** Reads the `*N\r\n` line. Returns 0 when incomplete, 1 when started, 2 when empty. */
  private startMultibulk(): number {
    const buf = this.buf;
    const nl = buf.indexOf(CR, this.pos);
    if (nl === -1 || nl + 1 >= buf.length) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
      return 0;
    }
    if (nl - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
    const n = parseSize(buf, this.pos + 1, nl);
    if (n === null || n > MULTIBULK_MAX_ARGS) throw new ProtocolError('Protocol error: invalid multibulk length');
    this.pos = nl + 2;
    if (n <= 0) return 2;
    this.argsLeft = n;
    this.args = new Array<string>();
    this.bulkLen = -1;
    return 1;
  }

  /** Reads as many bulk arguments as are available. True when the multibulk is complete. */
  private readBulks(): boolean {
    const buf = this.buf;
    while (this.argsLeft > 0) {
      if (this.bulkLen === -1) {
        if (this.pos >= buf.length) return false;
        const nl = buf.indexOf(CR, this.pos);
        if (nl === -1 || nl + 1 >= buf.length) {
          if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
          return false;
        }
        if (nl - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
        if (buf[this.pos] !== 36 /* $ */) {
          throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
        }
        const len = parseSize(buf, this.pos + 1, nl);
        if (len === null || len < 0 || len > this.limits.protoMaxBulkLen || len > MAX_STRING_LENGTH) {
          throw new ProtocolError('Protocol error: invalid bulk length');
        }
        this.pos = nl + 2;
        this.bulkLen = len;
        if (len >= BIG_ARG && buf.length - this.pos < len + 2) {
          // Big argument not fully here: move to a dedicated buffer.
          const big = Buffer.allocUnsafe(len + 2);
          const have = buf.length - this.pos;
          buf.copy(big, 0, this.pos, buf.length);
          this.big = big;
          this.bigFilled = have;
          this.buf = EMPTY;
          this.pos = 0;
          return false;
        }
      }
      const len = this.bulkLen;
      if (buf.length - this.pos < len + 2) return false;
      if (buf[this.pos + len] !== CR || buf[this.pos + len + 1] !== LF) {
        throw new ProtocolError("Protocol error: expected '\\r\\n' after bulk");
      }
      this.args.push(buf.toString('latin1', this.pos, this.pos + len));
      this.pos += len + 2;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    return true;
  }

  /** Parses one inline line. Returns undefined when incomplete. */
  private parseInline(): string[] | undefined {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big inline request');
      return undefined;
    }
    if (nl - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big inline request');
    let end = nl;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

/** Parses a decimal length in buf[start, end), allowing a leading '-'. */
function parseSize(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 19) return null;
  let neg = false;
  let i = start;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * Splits a line into arguments with the rules of Redis's sdssplitargs: spaces
 * separate, "double quotes" support \n \r \t \b \a \\ \" and \xHH escapes,
 * 'single quotes' support only \'. A closing quote must be followed by a space or
 * the end of the line. Returns null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      if (inDq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === 'x' && i + 3 < n && isHex(line[i + 2] ?? '') && isHex(line[i + 3] ?? '')) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else if (inSq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const ch = line[i];
        const code = line.charCodeAt(i);
        if (isSpace(code)) {
          done = true;
        } else if (ch === '"') {
          inDq = true;
        } else if (ch === "'") {
          inSq = true;
        } else {
          cur += ch;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}
