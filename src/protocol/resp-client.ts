/**
 * Cinnabar's own small RESP client.
 *
 * - `RespReplyParser`: incremental parser of server replies (RESP2 + RESP3).
 * - `RespClient`: pipelined client over TCP or a unix socket.
 * - `encodeCommand`: RESP multibulk encoder (binary safe, strings are latin1).
 * - `toPlain`: convenience conversion of a tagged `Reply` into plain JS values.
 *
 * Strings are Redis "binary strings": one JS char per byte (latin1).
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';

// ---------------------------------------------------------------------------
// Reply model
// ---------------------------------------------------------------------------

/** A parsed server reply, tagged by its RESP type. */
export type Reply =
  | { t: 'simple'; v: string }
  | { t: 'bulk'; v: string | null }
  | { t: 'int'; v: bigint }
  | { t: 'err'; v: string }
  | { t: 'array'; v: Reply[] | null }
  | { t: 'map'; v: Array<[Reply, Reply]> }
  | { t: 'set'; v: Reply[] }
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'bignum'; v: string }
  | { t: 'verbatim'; format: string; v: string }
  | { t: 'push'; v: Reply[] };

export type ReplyType = Reply['t'];

/** Thrown by the parser when the byte stream is not valid RESP. */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

type AggKind = 'array' | 'set' | 'push' | 'map' | 'attr';

interface Frame {
  kind: AggKind;
  /** Elements still expected (for map/attr: 2 * pairs). */
  remaining: number;
  items: Reply[];
}

interface PendingBulk {
  kind: 'bulk' | 'err' | 'verbatim';
  len: number;
  chunks: Buffer[];
  have: number;
}

const CR = 13;
const LF = 10;

/** Largest bulk / aggregate length the parser accepts (sanity bound). */
const MAX_LEN = 0x7fffffff;

export interface RespReplyParserOptions {
  /**
   * Called with the key/value pairs of each RESP3 attribute (`|`) frame.
   * Attributes are otherwise skipped: they never appear in the reply tree.
   */
  onAttribute?: (pairs: Array<[Reply, Reply]>) => void;
}

/**
 * Incremental parser of server replies. Feed it chunks of bytes in order;
 * `feed` returns the top-level replies completed by that chunk. Frames may
 * be split across chunks at any byte. Large bulk strings are collected as a
 * list of chunks and concatenated once (no quadratic copying).
 *
 * After a `RespProtocolError` the parser state is undefined: call `reset()`
 * (a client should drop the connection).
 */
export class RespReplyParser {
  private buf: Buffer | null = null;
  private pos = 0;
  /** Absolute offset in `buf` from which to resume scanning for CR. */
  private scanFrom = -1;
  private bulk: PendingBulk | null = null;
  private stack: Frame[] = [];
  private readonly onAttribute: ((pairs: Array<[Reply, Reply]>) => void) | undefined;

  constructor(opts: RespReplyParserOptions = {}) {
    this.onAttribute = opts.onAttribute;
  }

  /** Discard all buffered state. */
  reset(): void {
    this.buf = null;
    this.pos = 0;
    this.scanFrom = -1;
    this.bulk = null;
    this.stack = [];
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return (
      this.bulk === null &&
      this.stack.length === 0 &&
      (this.buf === null || this.pos >= this.buf.length)
    );
  }

  /** Number of bytes buffered but not yet consumed by a complete value. */
  get bufferedBytes(): number {
    let n = this.buf === null ? 0 : this.buf.length - this.pos;
    if (this.bulk !== null) n += this.bulk.have;
    return n;
  }

  /** Feed the next chunk; returns the top-level replies it completed. */
  feed(chunk: Buffer): Reply[] {
    const out: Reply[] = [];
    if (chunk.length === 0) return out;

    const pb = this.bulk;
    if (pb !== null) {
      pb.chunks.push(chunk);
      pb.have += chunk.length;
      if (pb.have < pb.len + 2) return out;
      const all = pb.chunks.length === 1 ? pb.chunks[0]! : Buffer.concat(pb.chunks, pb.have);
      this.bulk = null;
      this.buf = all;
      this.pos = 0;
      this.scanFrom = -1;
      const v = this.makeBulk(pb.kind, all, 0, pb.len);
      this.pos = pb.len + 2;
      this.push(v, out);
    } else if (this.buf !== null && this.pos < this.buf.length) {
      const rest = this.buf.subarray(this.pos);
      if (this.scanFrom >= 0) this.scanFrom -= this.pos;
      this.buf = Buffer.concat([rest, chunk], rest.length + chunk.length);
      this.pos = 0;
    } else {
      this.buf = chunk;
      this.pos = 0;
      this.scanFrom = -1;
    }
    this.parse(out);
    return out;
  }

  private parse(out: Reply[]): void {
    for (;;) {
      const buf = this.buf;
      if (buf === null) return;
      const start = this.pos;
      if (start >= buf.length) {
        this.buf = null;
        this.pos = 0;
        this.scanFrom = -1;
        return;
      }
      const from = this.scanFrom > start ? this.scanFrom : start + 1;
      const cr = buf.indexOf(CR, from);
      if (cr === -1 || cr + 1 >= buf.length) {
        // Incomplete line: remember how far we scanned.
        this.scanFrom = cr === -1 ? buf.length : cr;
        return;
      }
      this.scanFrom = -1;
      if (buf[cr + 1] !== LF) {
        throw new RespProtocolError(`expected LF after CR at offset ${cr + 1}`);
      }
      const type = buf[start]!;
      const ls = start + 1;
      const next = cr + 2;
      switch (type) {
        case 0x2b: // '+'
          this.pos = next;
          this.push({ t: 'simple', v: buf.toString('latin1', ls, cr) }, out);
          break;
        case 0x2d: // '-'
          this.pos = next;
          this.push({ t: 'err', v: buf.toString('latin1', ls, cr) }, out);
          break;
        case 0x3a: // ':'
          this.pos = next;
          this.push({ t: 'int', v: parseBigIntLine(buf, ls, cr) }, out);
          break;
        case 0x24: // '$'
        case 0x21: // '!'
        case 0x3d: {
          // '='
          const len = parseLenLine(buf, ls, cr);
          const kind: PendingBulk['kind'] = type === 0x24 ? 'bulk' : type === 0x21 ? 'err' : 'verbatim';
          if (len === -1) {
            if (kind !== 'bulk') throw new RespProtocolError(`null length not allowed for '${String.fromCharCode(type)}'`);
            this.pos = next;
            this.push({ t: 'bulk', v: null }, out);
            break;
          }
          if (len < 0) throw new RespProtocolError(`invalid bulk length ${len}`);
          const end = next + len;
          if (end + 2 <= buf.length) {
            const v = this.makeBulk(kind, buf, next, len);
            this.pos = end + 2;
            this.push(v, out);
            break;
          }
          // Body incomplete: collect chunks until it is all there.
          const head = buf.subarray(next);
          this.bulk = { kind, len, chunks: head.length > 0 ? [head] : [], have: head.length };
          this.buf = null;
          this.pos = 0;
          return;
        }
        case 0x2a: // '*'
        case 0x7e: // '~'
        case 0x3e: // '>'
        case 0x25: // '%'
        case 0x7c: {
          // '|'
          const n = parseLenLine(buf, ls, cr);
          this.pos = next;
          const kind: AggKind =
            type === 0x2a ? 'array' : type === 0x7e ? 'set' : type === 0x3e ? 'push' : type === 0x25 ? 'map' : 'attr';
          if (n === -1) {
            if (kind !== 'array') throw new RespProtocolError(`null length not allowed for '${String.fromCharCode(type)}'`);
            this.push({ t: 'array', v: null }, out);
            break;
          }
          if (n < 0) throw new RespProtocolError(`invalid aggregate length ${n}`);
          const count = kind === 'map' || kind === 'attr' ? n * 2 : n;
          if (count === 0) {
            if (kind === 'attr') {
              if (this.onAttribute) this.onAttribute([]);
            } else {
              this.push(buildAggregate(kind, []), out);
            }
            break;
          }
          this.stack.push({ kind, remaining: count, items: [] });
          break;
        }
        case 0x5f: // '_'
          if (cr !== ls) throw new RespProtocolError('invalid null frame');
          this.pos = next;
          this.push({ t: 'null' }, out);
          break;
        case 0x23: {
          // '#'
          if (cr !== ls + 1) throw new RespProtocolError('invalid boolean frame');
          const c = buf[ls];
          if (c !== 0x74 && c !== 0x66) throw new RespProtocolError('invalid boolean frame');
          this.pos = next;
          this.push({ t: 'bool', v: c === 0x74 }, out);
          break;
        }
        case 0x2c: // ','
          if (cr === ls) throw new RespProtocolError('empty double frame');
          this.pos = next;
          this.push({ t: 'double', v: buf.toString('latin1', ls, cr) }, out);
          break;
        case 0x28: // '('
          if (cr === ls) throw new RespProtocolError('empty big number frame');
          this.pos = next;
          this.push({ t: 'bignum', v: buf.toString('latin1', ls, cr) }, out);
          break;
        default:
          throw new RespProtocolError(
            `unknown reply type byte 0x${type.toString(16).padStart(2, '0')} at offset ${start}`,
          );
      }
    }
  }

  private makeBulk(kind: PendingBulk['kind'], buf: Buffer, start: number, len: number): Reply {
    const end = start + len;
    if (buf[end] !== CR || buf[end + 1] !== LF) {
      throw new RespProtocolError('bulk string not terminated by CRLF');
    }
    if (kind === 'bulk') return { t: 'bulk', v: buf.toString('latin1', start, end) };
    if (kind === 'err') return { t: 'err', v: buf.toString('latin1', start, end) };
    if (len < 4 || buf[start + 3] !== 0x3a) {
      throw new RespProtocolError('verbatim string without a 3-byte format prefix');
    }
    return {
      t: 'verbatim',
      format: buf.toString('latin1', start, start + 3),
      v: buf.toString('latin1', start + 4, end),
    };
  }

  /** Deliver a completed value to the enclosing aggregate, or to `out`. */
  private push(value: Reply, out: Reply[]): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        out.push(v);
        return;
      }
      top.items.push(v);
      if (--top.remaining > 0) return;
      this.stack.pop();
      if (top.kind === 'attr') {
        // Attributes annotate the next value; they are not elements.
        if (this.onAttribute) this.onAttribute(pairUp(top.items));
        return;
      }
      v = buildAggregate(top.kind, top.items);
    }
  }
}

function pairUp(items: Reply[]): Array<[Reply, Reply]> {
  const pairs: Array<[Reply, Reply]> = new Array<[Reply, Reply]>(items.length >> 1);
  for (let i = 0, j = 0; i + 1 < items.length; i += 2, j++) pairs[j] = [items[i]!, items[i + 1]!];
  return pairs;
}

function buildAggregate(kind: Exclude<AggKind, 'attr'>, items: Reply[]): Reply {
  switch (kind) {
    case 'array':
      return { t: 'array', v: items };
    case 'set':
      return { t: 'set', v: items };
    case 'push':
      return { t: 'push', v: items };
    case 'map':
      return { t: 'map', v: pairUp(items) };
  }
}

/** Parse a length line ("-1", "0", "123"). */
function parseLenLine(buf: Buffer, start: number, end: number): number {
  if (start >= end) throw new RespProtocolError('empty length');
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i >= end) throw new RespProtocolError('invalid length');
  }
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) throw new RespProtocolError(`invalid length '${buf.toString('latin1', start, end)}'`);
    n = n * 10 + c;
    if (n > MAX_LEN) throw new RespProtocolError(`length too large '${buf.toString('latin1', start, end)}'`);
  }
  return neg ? -n : n;
}

function parseBigIntLine(buf: Buffer, start: number, end: number): bigint {
  const len = end - start;
  if (len === 0) throw new RespProtocolError('empty integer');
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d || buf[i] === 0x2b) {
    neg = buf[i] === 0x2d;
    i++;
    if (i >= end) throw new RespProtocolError('invalid integer');
  }
  if (end - i <= 15) {
    let n = 0;
    for (; i < end; i++) {
      const c = buf[i]! - 0x30;
      if (c < 0 || c > 9) throw new RespProtocolError(`invalid integer '${buf.toString('latin1', start, end)}'`);
      n = n * 10 + c;
    }
    return BigInt(neg ? -n : n);
  }
  for (let j = i; j < end; j++) {
    const c = buf[j]! - 0x30;
    if (c < 0 || c > 9) throw new RespProtocolError(`invalid integer '${buf.toString('latin1', start, end)}'`);
  }
  const big = BigInt(buf.toString('latin1', i, end));
  return neg ? -big : big;
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

export type CommandArg = string | Buffer | number | bigint;

// eslint-disable-next-line no-control-regex
const NON_LATIN1 = /[^\x00-\xff]/;

function argToStringOrBuffer(a: CommandArg): string | Buffer {
  if (typeof a === 'string') {
    if (NON_LATIN1.test(a)) {
      throw new TypeError(
        'command argument contains characters above U+00FF; strings are binary (latin1) — pass a Buffer for UTF-8 data',
      );
    }
    return a;
  }
  if (typeof a === 'number') {
    if (Number.isNaN(a)) return 'nan';
    if (a === Infinity) return 'inf';
    if (a === -Infinity) return '-inf';
    return String(a);
  }
  if (typeof a === 'bigint') return a.toString();
  if (Buffer.isBuffer(a)) return a;
  throw new TypeError('command arguments must be string, Buffer, number or bigint');
}

/** Encode a command as a RESP multibulk request. */
export function encodeCommand(args: readonly CommandArg[]): Buffer {
  const parts: Array<string | Buffer> = new Array<string | Buffer>(args.length);
  const header = `*${args.length}\r\n`;
  let total = header.length;
  for (let i = 0; i < args.length; i++) {
    const p = argToStringOrBuffer(args[i]!);
    parts[i] = p;
    const n = p.length;
    total += 1 + decimalLength(n) + 2 + n + 2;
  }
  const out = Buffer.allocUnsafe(total);
  let off = out.write(header, 0, 'latin1');
  for (const p of parts) {
    off += out.write(`$${p.length}\r\n`, off, 'latin1');
    if (typeof p === 'string') off += out.write(p, off, 'latin1');
    else {
      out.set(p, off);
      off += p.length;
    }
    out[off++] = CR;
    out[off++] = LF;
  }
  return out;
}

function decimalLength(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

// ---------------------------------------------------------------------------
// Plain conversion
// ---------------------------------------------------------------------------

export type Plain = string | number | bigint | boolean | null | Error | Plain[] | { [key: string]: Plain };

/** Error produced by `toPlain` for error replies; `code` is the first word (e.g. "WRONGTYPE"). */
export class ReplyError extends Error {
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
    const sp = message.indexOf(' ');
    this.code = sp === -1 ? message : message.slice(0, sp);
  }
}

/**
 * Convert a tagged reply to plain JS: strings (simple/bulk/verbatim) as
 * strings, int as number when safe (bigint otherwise), double as number,
 * bignum as bigint, nulls as null, errors as `ReplyError`, arrays/sets/push as
 * arrays, maps as objects keyed by `String(toPlain(key))`.
 */
export function toPlain(r: Reply): Plain {
  switch (r.t) {
    case 'simple':
    case 'bulk':
    case 'verbatim':
      return r.v;
    case 'int':
      return r.v >= BigInt(Number.MIN_SAFE_INTEGER) && r.v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r.v) : r.v;
    case 'err':
      return new ReplyError(r.v);
    case 'array':
      return r.v === null ? null : r.v.map(toPlain);
    case 'set':
    case 'push':
      return r.v.map(toPlain);
    case 'map': {
      const o: { [key: string]: Plain } = {};
      for (const [k, v] of r.v) o[String(toPlain(k))] = toPlain(v);
      return o;
    }
    case 'double':
      return parseRespDouble(r.v);
    case 'bool':
      return r.v;
    case 'null':
      return null;
    case 'bignum':
      return BigInt(r.v);
  }
}

/** Parse a RESP double text ("1.5", "inf", "-inf", "nan"). */
export function parseRespDouble(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(s);
}

/** Compact, human-readable rendering of a reply (for test messages). */
export function formatReply(r: Reply, maxLen = 2000): string {
  const s = fmt(r);
  return s.length > maxLen ? `${s.slice(0, maxLen)}…(${s.length} chars)` : s;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function fmt(r: Reply): string {
  switch (r.t) {
    case 'simple':
      return `+${r.v}`;
    case 'bulk':
      return r.v === null ? '(nil bulk)' : quote(r.v);
    case 'int':
      return `(int) ${r.v}`;
    case 'err':
      return `(error) ${r.v}`;
    case 'array':
      return r.v === null ? '(nil array)' : `[${r.v.map(fmt).join(', ')}]`;
    case 'set':
      return `~{${r.v.map(fmt).join(', ')}}`;
    case 'push':
      return `>[${r.v.map(fmt).join(', ')}]`;
    case 'map':
      return `%{${r.v.map(([k, v]) => `${fmt(k)}: ${fmt(v)}`).join(', ')}}`;
    case 'double':
      return `(double) ${r.v}`;
    case 'bool':
      return `(bool) ${r.v}`;
    case 'null':
      return '(null)';
    case 'bignum':
      return `(bignum) ${r.v}`;
    case 'verbatim':
      return `(verbatim ${r.format}) ${quote(r.v)}`;
  }
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

export interface RespClientOptions {
  host?: string;
  port?: number;
  /** Unix socket path; when set, host/port are ignored. */
  path?: string;
  /** Connect timeout in ms (default 5000). */
  timeoutMs?: number;
  /**
   * Per-command timeout in ms (default 0 = none). When a reply does not
   * arrive in time the connection is destroyed (the pipeline cannot be
   * resynchronised) and every pending call is rejected.
   */
  commandTimeoutMs?: number;
  /** Connect with TLS, with these options (certificate, CAs...); the client is usable once the handshake is done. */
  tls?: tls.ConnectionOptions;
}

interface Pending {
  /** Replies still expected. */
  remaining: number;
  replies: Reply[];
  /** Push kinds (lower-case first element) accepted as this call's replies (RESP3 subscribe confirmations). */
  pushKinds: readonly string[] | null;
  resolve: (replies: Reply[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

const SUBSCRIBE_FAMILY: ReadonlySet<string> = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

const RESP2_MESSAGE_KINDS = new Set(['message', 'pmessage', 'smessage']);

const MAX_PUSH_INBOX = 10000;

interface PushWaiter {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export interface RespClientEvents {
  push: [reply: Reply];
  close: [error: Error | undefined];
}

/**
 * Pipelined RESP client. Calls resolve with the tagged `Reply` (error replies
 * resolve as `{t:'err'}`; the promise rejects only on connection failure,
 * protocol error or timeout).
 *
 * Push messages (RESP3 `>` frames, and in RESP2 the pub/sub `message`
 * arrays received while subscribed or replies that arrive with no call
 * waiting) are emitted as 'push' events and queued for `nextPush()`.
 * RESP3 subscribe-family confirmations count as the reply of a pending
 * SUBSCRIBE-family call. SUBSCRIBE with k channels produces k replies: use
 * `callN(k, ...)` to collect them all.
 *
 * Events: 'push' (reply), 'close' (error | undefined) — emitted once.
 */
export class RespClient extends EventEmitter<RespClientEvents> {
  private readonly socket: net.Socket;
  private readonly parser = new RespReplyParser();
  private queue: Array<Pending | undefined> = [];
  private head = 0;
  private closedFlag = false;
  private closeError: Error | undefined;
  private corked = false;
  private subscribed = false;
  private readonly commandTimeoutMs: number;
  private readonly pushInbox: Reply[] = [];
  private pushWaiters: PushWaiter[] = [];
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  private constructor(socket: net.Socket, opts: RespClientOptions) {
    super();
    this.socket = socket;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 0;
    this.closedPromise = new Promise<void>((res) => {
      this.resolveClosed = res;
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => {
      if (this.closeError === undefined) this.closeError = err;
    });
    socket.on('close', () => this.onClose());
  }

  /** Connect to a server. Rejects on connection error or after `timeoutMs`. */
  static connect(opts: RespClientOptions): Promise<RespClient> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<RespClient>((resolve, reject) => {
      const socket =
        opts.path !== undefined
          ? net.createConnection({ path: opts.path })
          : opts.tls !== undefined
            ? tls.connect({ ...opts.tls, host: opts.host ?? '127.0.0.1', port: opts.port ?? 6379 })
            : net.createConnection({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 6379 });
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        socket.destroy();
        const where = opts.path ?? `${opts.host ?? '127.0.0.1'}:${opts.port ?? 6379}`;
        reject(new Error(`connect to ${where} timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', onError);
      socket.once(opts.tls !== undefined ? 'secureConnect' : 'connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RespClient(socket, opts));
      });
    });
  }

  /** Same as the module-level `toPlain`. */
  static toPlain(r: Reply): Plain {
    return toPlain(r);
  }

  /** True once the connection is closed (or closing). */
  /** Our address on this connection as the peer sees it (IPv4-mapped IPv6 shown as IPv4). */
  get localAddress(): string {
    const a = this.socket.localAddress ?? '';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  get closed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  /** Number of calls still waiting for replies. */
  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  /** Send one command; resolves with its reply. */
  async call(...args: CommandArg[]): Promise<Reply> {
    const replies = await this.enqueue(encodeCommand(args), 1, pushKindsFor(args));
    return replies[0]!;
  }

  /** Send one command that produces `n` replies (e.g. SUBSCRIBE a b c); resolves with all of them. */
  callN(n: number, ...args: CommandArg[]): Promise<Reply[]> {
    return this.enqueue(encodeCommand(args), n, pushKindsFor(args));
  }

  /** Send many commands pipelined; resolves with their replies in order. */
  pipeline(commands: ReadonlyArray<readonly CommandArg[]>): Promise<Reply[]> {
    this.corkForTick();
    return Promise.all(commands.map((c) => this.call(...c)));
  }

  /**
   * Write raw bytes (e.g. a deliberately broken frame). If `expectReplies`
   * is > 0 the promise resolves with that many replies; otherwise it
   * resolves once the bytes are handed to the socket.
   */
  sendRaw(data: Buffer | string, expectReplies = 0): Promise<Reply[]> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (expectReplies > 0) return this.enqueue(buf, expectReplies, null);
    if (this.closed) return Promise.reject(this.closedErr());
    return new Promise<Reply[]>((resolve, reject) => {
      this.socket.write(buf, (err) => (err ? reject(err) : resolve([])));
    });
  }

  /**
   * Resolve with the oldest push message not yet consumed (waiting up to
   * `timeoutMs`, default 5000). Pushes are queued as they arrive, so a push
   * received before this call is not lost.
   */
  nextPush(timeoutMs = 5000): Promise<Reply> {
    const r = this.pushInbox.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.closed) return Promise.reject(this.closedErr());
    return new Promise<Reply>((resolve, reject) => {
      const waiter: PushWaiter = { resolve, reject, timer: null };
      waiter.timer = setTimeout(() => {
        this.pushWaiters = this.pushWaiters.filter((w) => w !== waiter);
        reject(new Error(`no push message within ${timeoutMs}ms`));
      }, timeoutMs);
      this.pushWaiters.push(waiter);
    });
  }

  /** Drop queued, unconsumed push messages. */
  clearPushes(): void {
    this.pushInbox.length = 0;
  }

  /** Gracefully close (FIN); resolves when the socket is closed. Pending calls are rejected. */
  close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.closedFlag = true;
      this.socket.end();
      // Don't wait forever for the peer.
      const t = setTimeout(() => this.socket.destroy(), 1000);
      t.unref();
    }
    return this.closedPromise;
  }

  /** Close immediately. */
  destroy(err?: Error): void {
    if (err !== undefined && this.closeError === undefined) this.closeError = err;
    this.closedFlag = true;
    this.socket.destroy();
  }

  /** Resolves when the connection has closed (for any reason). */
  waitClosed(): Promise<void> {
    return this.closedPromise;
  }

  // -- internals ------------------------------------------------------------

  private closedErr(): Error {
    const e = new Error('connection closed' + (this.closeError ? `: ${this.closeError.message}` : ''));
    return e;
  }

  private corkForTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  private enqueue(buf: Buffer, n: number, pushKinds: readonly string[] | null): Promise<Reply[]> {
    if (this.closed) return Promise.reject(this.closedErr());
    return new Promise<Reply[]>((resolve, reject) => {
      const p: Pending = { remaining: n, replies: [], pushKinds, resolve, reject, timer: null };
      if (this.commandTimeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.destroy(new Error(`command timed out after ${this.commandTimeoutMs}ms`));
        }, this.commandTimeoutMs);
      }
      this.queue.push(p);
      this.corkForTick();
      this.socket.write(buf);
    });
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.feed(chunk);
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    for (const r of replies) this.dispatch(r);
  }

  private dispatch(r: Reply): void {
    const p = this.head < this.queue.length ? this.queue[this.head] : undefined;
    const kind = pushKind(r);
    if (kind !== null && SUBSCRIBE_FAMILY.has(kind)) this.trackSubscription(r);
    if (r.t === 'push') {
      if (p !== undefined && p.pushKinds !== null && kind !== null && p.pushKinds.includes(kind)) {
        this.deliver(p, r);
        return;
      }
      this.emitPush(r);
      return;
    }
    if (p === undefined || (this.subscribed && kind !== null && RESP2_MESSAGE_KINDS.has(kind))) {
      // No call waiting (out-of-band reply), or a RESP2 pub/sub message.
      this.emitPush(r);
      return;
    }
    this.deliver(p, r);
  }

  private trackSubscription(r: Reply): void {
    if ((r.t !== 'array' && r.t !== 'push') || r.v === null || r.v.length < 3) return;
    const cnt = r.v[2]!;
    if (cnt.t === 'int') this.subscribed = cnt.v > 0n;
  }

  private deliver(p: Pending, r: Reply): void {
    p.replies.push(r);
    if (--p.remaining > 0) return;
    this.queue[this.head] = undefined;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (p.timer) clearTimeout(p.timer);
    p.resolve(p.replies);
  }

  private emitPush(r: Reply): void {
    const w = this.pushWaiters.shift();
    if (w !== undefined) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve(r);
    } else {
      this.pushInbox.push(r);
      if (this.pushInbox.length > MAX_PUSH_INBOX) this.pushInbox.shift();
    }
    this.emit('push', r);
  }

  private onClose(): void {
    this.closedFlag = true;
    const err = this.closedErr();
    const pending = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const p of pending) {
      if (p === undefined) continue;
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    const waiters = this.pushWaiters;
    this.pushWaiters = [];
    for (const w of waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
    this.parser.reset();
    this.resolveClosed();
    this.emit('close', this.closeError);
  }
}

function pushKind(r: Reply): string | null {
  if ((r.t !== 'push' && r.t !== 'array') || r.v === null || r.v.length === 0) return null;
  const first = r.v[0]!;
  if (first.t === 'bulk' && first.v !== null) return first.v.toLowerCase();
  if (first.t === 'simple') return first.v.toLowerCase();
  return null;
}

function pushKindsFor(args: readonly CommandArg[]): readonly string[] | null {
  const a0 = args[0];
  if (a0 === undefined) return null;
  const name = (typeof a0 === 'string' ? a0 : Buffer.isBuffer(a0) ? a0.toString('latin1') : '').toLowerCase();
  return SUBSCRIBE_FAMILY.has(name) ? [name] : null;
}
