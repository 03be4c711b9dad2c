// RESP2/RESP3 reply encoding, usable without a server: the server's clients, the
// proxy and the manager all write replies through ReplyWriter.
//
// Replies are appended to `out`, a binary (latin1) string. Stored values are binary
// strings already, so a bulk reply is a concatenation that V8 keeps as a rope until
// the owner writes `out` to its socket in one write. A subclass decides when the
// bytes go (the server's Client batches them per event-loop turn and suppresses them
// under CLIENT REPLY OFF) by overriding write(), and counts errors by overriding
// onError().

import { formatDouble } from '../util/numbers.js';

// ---- array replies built in a scratch buffer ---------------------------------------------
//
// A reply of many elements built by string concatenation costs several string
// allocations and copies per element ('$' + len + '\r\n' + v + '\r\n'); writing
// the bytes into a reused buffer and taking one string of it at the end is about
// three times cheaper (LRANGE 100: 3.6 µs -> 1.1 µs). The buffer is per-call
// scratch, not state: single-threaded and not re-entrant, begin, add the
// elements, finish, with nothing else in between, so nothing in it outlives one
// reply and two servers in one process cannot see each other's bytes.

const SCRATCH_SIZE = 16 * 1024;
const SCRATCH_KEEP_MAX = 1024 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
let spos = 0;

function scratchRoom(n: number): void {
  if (spos + n <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < spos + n) size *= 2;
  const nb = Buffer.allocUnsafe(size);
  scratch.copy(nb, 0, 0, spos);
  scratch = nb;
}

/** Appends a non-negative integer in decimal (room already ensured). */
function scratchUint(n: number): void {
  if (n < 10) {
    scratch[spos++] = 48 + n;
    return;
  }
  if (n < 100) {
    scratch[spos++] = 48 + ((n / 10) | 0);
    scratch[spos++] = 48 + (n % 10);
    return;
  }
  spos += scratch.write(String(n), spos, 'latin1');
}

/** Reply builder over the scratch buffer; the result goes to ReplyWriter.write. */
export const replyBuf = {
  /** Starts a reply with an array header of `n` elements. */
  beginArray(n: number): void {
    spos = 0;
    scratchRoom(24);
    scratch[spos++] = 42; // '*'
    scratchUint(n);
    scratch[spos++] = 13;
    scratch[spos++] = 10;
  },
  /** Appends a bulk string (a binary string). */
  bulk(v: string): void {
    const n = v.length;
    scratchRoom(n + 26);
    scratch[spos++] = 36; // '$'
    scratchUint(n);
    scratch[spos++] = 13;
    scratch[spos++] = 10;
    if (n <= 24) {
      for (let i = 0; i < n; i++) scratch[spos + i] = v.charCodeAt(i);
      spos += n;
    } else {
      spos += scratch.write(v, spos, 'latin1');
    }
    scratch[spos++] = 13;
    scratch[spos++] = 10;
  },
  /** The reply built since beginArray, as a binary string. */
  finish(): string {
    const out = scratch.toString('latin1', 0, spos);
    spos = 0;
    if (scratch.length > SCRATCH_KEEP_MAX) scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
    return out;
  },
};

/** '$<n>\r\n' for small n: one concatenation less per bulk reply. */
const BULK_HEADERS: string[] = [];
for (let n = 0; n < 64; n++) BULK_HEADERS.push('$' + n + '\r\n');

/** Writes RESP2 or RESP3 replies (per `resp`) into `out`. */
export class ReplyWriter {
  /** Protocol version of the peer: 2, or 3 after HELLO 3. */
  resp: 2 | 3 = 2;
  /** Pending reply bytes, a binary string. */
  out = '';

  /** Appends raw protocol bytes (a binary string). Every reply goes through here. */
  write(s: string): void {
    this.out += s;
  }

  /** Called with each error reply before it is written (statistics). */
  protected onError(_msg: string): void {}

  addOk(): void {
    this.write('+OK\r\n');
  }

  addSimple(s: string): void {
    this.write('+' + s + '\r\n');
  }

  /**
   * Error reply. `msg` starts with the error code ("ERR ...", "WRONGTYPE ...").
   * Newlines would break the protocol, so they are replaced by spaces as Redis does.
   */
  addError(msg: string): void {
    if (msg.indexOf('\r') !== -1 || msg.indexOf('\n') !== -1) msg = msg.replace(/[\r\n]/g, ' ');
    this.onError(msg);
    this.write('-' + msg + '\r\n');
  }

  addInt(n: number | bigint): void {
    // Beyond 2^53 a double prints in exponent form; go through bigint to keep RESP valid.
    if (typeof n === 'number' && (n > 9007199254740991 || n < -9007199254740991)) n = BigInt(Math.trunc(n));
    this.write(':' + n + '\r\n');
  }

  addBulk(s: string): void {
    const n = s.length;
    this.write((n < BULK_HEADERS.length ? BULK_HEADERS[n] : '$' + n + '\r\n') + s + '\r\n');
  }

  /** Bulk reply of a number rendered as a string. */
  addBulkNumber(n: number | bigint): void {
    this.addBulk(String(n));
  }

  /** Null bulk: $-1 in RESP2, _ in RESP3. */
  addNull(): void {
    this.write(this.resp === 2 ? '$-1\r\n' : '_\r\n');
  }

  /** Null array: *-1 in RESP2, _ in RESP3. */
  addNullArray(): void {
    this.write(this.resp === 2 ? '*-1\r\n' : '_\r\n');
  }

  addBulkOrNull(s: string | undefined | null): void {
    if (s === undefined || s === null) this.addNull();
    else this.addBulk(s);
  }

  addArrayLen(n: number): void {
    this.write('*' + n + '\r\n');
  }

  /** Map header: %n in RESP3, *2n in RESP2. */
  addMapLen(n: number): void {
    this.write(this.resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n');
  }

  /** Set header: ~n in RESP3, *n in RESP2. */
  addSetLen(n: number): void {
    this.write(this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n');
  }

  /** Push header: >n in RESP3, *n in RESP2. */
  addPushLen(n: number): void {
    this.write(this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n');
  }

  /** Double: ,d in RESP3, a bulk string in RESP2, formatted as Redis 7.2 does. */
  addDouble(v: number): void {
    const s = formatDouble(v);
    if (this.resp === 3) this.write(',' + s + '\r\n');
    else this.addBulk(s);
  }

  /** Boolean: #t/#f in RESP3, :1/:0 in RESP2. */
  addBool(b: boolean): void {
    if (this.resp === 3) this.write(b ? '#t\r\n' : '#f\r\n');
    else this.write(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim string (=len\r\ntxt:...) in RESP3, a bulk string in RESP2. */
  addVerbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.write('=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n');
    } else {
      this.addBulk(s);
    }
  }

  addBulkArray(items: string[]): void {
    replyBuf.beginArray(items.length);
    for (let i = 0; i < items.length; i++) replyBuf.bulk(items[i]);
    this.write(replyBuf.finish());
  }

  addEmptyArray(): void {
    this.write('*0\r\n');
  }

  /** Big number: (n in RESP3, a bulk string in RESP2. */
  addBigNumber(n: string): void {
    if (this.resp === 3) this.write('(' + n + '\r\n');
    else this.addBulk(n);
  }

  /** Takes the pending bytes, leaving `out` empty. */
  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }
}
