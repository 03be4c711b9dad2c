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
//  - INT_MAX arguments in one multibulk (Redis 7's cap; the argument array grows as
//    arguments arrive past PRESIZE_MAX_ARGS, so a bogus count costs nothing).
//  - 64 KiB for an inline request, a multibulk count line, or a bulk length line
//    still without its line end (a complete line is parsed whatever its length, as
//    Redis does: only an unterminated one can grow without bound).
//  - before authentication (limits.authRequired()): 10 arguments and bulks of
//    16 KiB at most (Redis's CVE-2021-32675 defence), so a client without the
//    password cannot make the server allocate a proto-max-bulk-len buffer.
// A violation yields a ProtocolError with Redis's message; the server replies with
// it and closes the connection.

const CR = 13;
const LF = 10;
const INLINE_MAX_SIZE = 64 * 1024;
const MULTIBULK_MAX_ARGS = 2147483647;
/** Largest multibulk count and bulk length a client may send before it authenticates. */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
const BIG_ARG = 32 * 1024;
/** Multibulks up to this many arguments get their argv array allocated at its final size. */
const PRESIZE_MAX_ARGS = 1024;
const EMPTY = Buffer.alloc(0);
/** `args` between commands (startMultibulk always replaces it before use). */
const NO_ARGS: string[] = [];

/** V8's largest string is just under 512 MiB; one argument can never exceed it. */
export const MAX_STRING_LENGTH = (1 << 29) - 24;

export class ProtocolError extends Error {}

export interface ParserLimits {
  protoMaxBulkLen: number;
  /** True while the client must still authenticate (Redis's authRequired); asked only past the unauthenticated caps. */
  authRequired?: () => boolean;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** `buf` is the caller's memory (feed(chunk, true)): copy what is left before it is reused. */
  private borrowed = false;
  // Multibulk state.
  private argsLeft = 0; // arguments still expected in the current multibulk
  private args: string[] = NO_ARGS;
  private argc = 0; // arguments stored in `args` so far
  private presized = false; // `args` was allocated with its final length
  private first = false; // the next argument is the command name
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

  /**
   * Adds input. With `borrowed`, the caller will reuse `chunk`'s memory once the
   * commands are taken: it must call releaseInput() before that.
   */
  feed(chunk: Buffer, borrowed = false): void {
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
      this.borrowed = borrowed;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
      this.borrowed = false;
    }
  }

  /** Copies unparsed bytes out of borrowed input (see feed), which the caller may then overwrite. */
  releaseInput(): void {
    if (!this.borrowed) return;
    this.borrowed = false;
    const buf = this.buf;
    if (this.pos >= buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    } else {
      this.buf = Buffer.from(buf.subarray(this.pos));
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
        this.first = false;
        this.addArg(b.toString('latin1', 0, b.length - 2));
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
    this.args = NO_ARGS;
    return a;
  }

  private addArg(v: string): void {
    if (this.presized) this.args[this.argc++] = v;
    else this.args.push(v);
  }

  /** Reads the `*N\r\n` line. Returns 0 when incomplete, 1 when started, 2 when empty. */
  private startMultibulk(): number {
    const buf = this.buf;
    const nl = findCR(buf, this.pos);
    if (nl === -1 || nl + 1 >= buf.length) {
      if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
      return 0;
    }
    const n = parseSize(buf, this.pos + 1, nl);
    if (n === null || n > MULTIBULK_MAX_ARGS) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > UNAUTH_MAX_ARGS && this.limits.authRequired?.() === true) throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    this.pos = nl + 2;
    if (n <= 0) return 2;
    this.argsLeft = n;
    // Sized once (no growth) for ordinary commands; huge counts grow as arguments
    // actually arrive, so a bogus count cannot make us allocate a big array.
    this.presized = n <= PRESIZE_MAX_ARGS;
    this.args = this.presized ? new Array<string>(n) : [];
    this.argc = 0;
    this.first = true;
    this.bulkLen = -1;
    return 1;
  }

  /** Reads as many bulk arguments as are available. True when the multibulk is complete. */
  private readBulks(): boolean {
    const buf = this.buf;
    while (this.argsLeft > 0) {
      if (this.bulkLen === -1) {
        if (this.pos >= buf.length) return false;
        const nl = findCR(buf, this.pos);
        if (nl === -1 || nl + 1 >= buf.length) {
          if (buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
          return false;
        }
        if (buf[this.pos] !== 36 /* $ */) {
          throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
        }
        const len = parseSize(buf, this.pos + 1, nl);
        if (len === null || len < 0 || len > this.limits.protoMaxBulkLen) throw new ProtocolError('Protocol error: invalid bulk length');
        if (len > UNAUTH_MAX_BULK && this.limits.authRequired?.() === true) throw new ProtocolError('Protocol error: unauthenticated bulk length');
        if (len > MAX_STRING_LENGTH) throw new ProtocolError('Protocol error: invalid bulk length');
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
      let v: string;
      if (len > 24) v = buf.toString('latin1', this.pos, this.pos + len);
      else if (this.first) v = commandName(buf, this.pos, len);
      else v = shortLatin1(buf, this.pos, len);
      this.first = false;
      this.addArg(v);
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
    let end = nl;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

/** Position of the first CR at or after `from`, or -1. Header lines are a few bytes: a loop beats a native indexOf call. */
function findCR(buf: Buffer, from: number): number {
  const n = buf.length;
  for (let i = from; i < n; i++) if (buf[i] === CR) return i;
  return -1;
}

/**
 * buf[p, p+len) as a binary string, for len <= 24: String.fromCharCode with the
 * bytes as arguments is several times cheaper than Buffer#toString for short
 * arguments (command names, keys, small values), and yields the same string.
 * 20 bytes (redis-benchmark's "element:" + 12 digits): 80 against 250 ns.
 */
function shortLatin1(b: Buffer, p: number, len: number): string {
  const f = String.fromCharCode;
  switch (len) {
    case 0:
      return '';
    case 1:
      return f(b[p]);
    case 2:
      return f(b[p], b[p + 1]);
    case 3:
      return f(b[p], b[p + 1], b[p + 2]);
    case 4:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
    case 12:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
    case 13:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12]);
    case 14:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13]);
    case 15:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14]);
    case 16:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15]);
    case 17:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16]);
    case 18:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17]);
    case 19:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18]);
    case 20:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19]);
    case 21:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20]);
    case 22:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21]);
    case 23:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22]);
    case 24:
      return f(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22], b[p + 23]);
  }
  return b.toString('latin1', p, p + len);
}

/** Recently seen command names (see commandName). */
const recentNames = ['', '', '', ''];
let recentNext = 0;

/**
 * The command name at buf[p, p+len) (len <= 24). Clients mostly repeat a few
 * commands, so the string of a recent identical name is returned: no new string,
 * and its hash, computed by the command table's first lookup, is already known.
 */
function commandName(b: Buffer, p: number, len: number): string {
  for (let k = 0; k < 4; k++) {
    const s = recentNames[k];
    if (s.length !== len) continue;
    let i = 0;
    while (i < len && s.charCodeAt(i) === b[p + i]) i++;
    if (i === len) return s;
  }
  const s = shortLatin1(b, p, len);
  recentNames[recentNext] = s;
  recentNext = (recentNext + 1) & 3;
  return s;
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
        // Inside a word only these end it (sdssplitargs's switch): \v and \f are part of it.
        if (code === 32 || code === 10 || code === 13 || code === 9) {
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
