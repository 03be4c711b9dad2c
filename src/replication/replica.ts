// The replica's side: one connection to the primary, from the TCP connect through
// the handshake and the transfer of a full synchronization to the applied stream.
// A link that fails ends; the replication cron starts a new one a second later
// (Redis's replicationCron), continuing from what was applied (PSYNC <id> <off+1>).
//
// Handshake (as Redis 7 does it): PING; then in one write AUTH (masterauth),
// REPLCONF listening-port, REPLCONF ip-address (replica-announce-ip), REPLCONF capa
// eof capa psync2; then PSYNC. Empty lines are keepalives a primary sends while it
// prepares the snapshot. Replies are read as lines here, not with the RESP client:
// after PSYNC the same connection carries the RDB payload and the raw stream, whose
// exact bytes and offsets matter.
//
// Transfer: `$<len>\r\n<payload>` or `$EOF:<40 bytes>\r\n<payload><same 40 bytes>`.
// The payload is collected in memory (at most TRANSFER_BYTES_MAX) and loaded into
// scratch databases that replace the dataset only when the whole file parsed and
// its checksum matched: a broken transfer never leaves a half-loaded dataset. With
// repl-diskless-load disabled (the default) the payload is also stored as the RDB
// file first, as Redis does.
//
// The stream is applied as the master client (flag M): replies suppressed, exempt
// from read-only and limits, and, while its command runs, able to see keys that
// are logically expired (keyspace.obeyPrimary). The applied offset moves only
// between commands outside MULTI, so a transaction cut by a broken link is
// discarded whole and received again after the reconnection. Applied bytes go,
// unchanged, to this server's backlog and its own replicas.

import net from 'node:net';
import tls from 'node:tls';
import { constants as bufferConstants } from 'node:buffer';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { resolve } from 'node:path';
import { Client, CLIENT_MASTER, CLIENT_MULTI, CLIENT_REPLY_OFF } from '../server/client.js';
import { MAX_STRING_LENGTH, ProtocolError } from '../protocol/parser.js';
import { encodeCommand } from '../protocol/resp-client.js';
import { loadRdbBuffer, rdbPath } from '../persistence/persistence.js';
import { RDB_OPCODE, RdbReader } from '../persistence/rdb.js';
import { aofStateOf, restartAppendOnlyAfterLoad } from '../persistence/aof.js';
import type { Replication } from './replication.js';

/** ROLE's names for the link states ('connect': no link, waiting for the cron). */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

type Step = 'ping' | 'auth' | 'port' | 'ip' | 'capa' | 'psync';

/** Longest handshake reply line accepted. */
const HANDSHAKE_LINE_MAX = 64 * 1024;
/** Largest full-synchronization payload accepted (a Buffer's limit). */
export const TRANSFER_BYTES_MAX = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);
const MARK_LEN = 40;
/**
 * Most stream bytes received but not applied (a transaction not closed yet, a
 * command not complete): a primary that exceeds it is not sending a sane stream.
 */
export const PRIMARY_PENDING_BYTES_MAX = 1024 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class PrimaryLink {
  state: LinkState = 'connecting';
  /** The master client, once the stream flows. */
  client: Client | null = null;
  /** Offset applied (Redis's master->reploff) and read (read_reploff). */
  reploff = 0;
  readReploff = 0;
  /** Last time bytes came from the primary (ms). */
  lastIo = Date.now();
  private readonly repl: Replication;
  private readonly host: string;
  private readonly port: number;
  /** PSYNC ... FAILOVER (this server is handing its role to the primary it connects to). */
  private readonly forFailover: boolean;
  private socket: net.Socket | null = null;
  private inbuf: Buffer = EMPTY;
  private readonly expect: Step[] = [];
  private dead = false;
  private lastError = '';
  // Full synchronization.
  private psyncReplid = '';
  private psyncOffset = 0;
  private haveHeader = false;
  /** Payload size (-1 before the header, 0 for an EOF-delimited one, as Redis reports it). */
  private size = -1;
  private mark: Buffer | null = null;
  private payloadBuf: Buffer | null = null;
  private chunks: Buffer[] = [];
  private read = 0;
  private tail: Buffer = EMPTY;
  // Applied stream not yet handed to the backlog: raw[0] starts after offset rawBase.
  private raw: Buffer[] = [];
  private rawBase = 0;

  constructor(repl: Replication, host: string, port: number, forFailover: boolean) {
    this.repl = repl;
    this.host = host;
    this.port = port;
    this.forFailover = forFailover;
  }

  connect(): void {
    const log = this.repl.server.log;
    log.notice('MASTER <-> REPLICA sync started');
    // bind-source-addr: the local address of the link to the primary, as in Redis.
    const source = this.repl.server.config.getString('bind-source-addr');
    const where = source === '' ? { host: this.host, port: this.port } : { host: this.host, port: this.port, localAddress: source };
    // tls-replication: the link is TLS, with our client certificate, the primary's checked against our CAs.
    const secure = this.repl.server.config.getBool('tls-replication') && this.repl.server.tls.configured;
    const s = secure ? tls.connect({ ...this.repl.server.tls.clientOptions(), ...where }) : net.createConnection(where);
    this.socket = s;
    s.setNoDelay(!this.repl.server.config.getBool('repl-disable-tcp-nodelay'));
    s.on(secure ? 'secureConnect' : 'connect', () => this.onConnect());
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', (e: Error) => {
      this.lastError = e.message;
    });
    s.on('close', () => this.onClose());
  }

  private onConnect(): void {
    if (this.dead) return;
    this.repl.server.log.notice('Non blocking connect for SYNC fired the event.');
    this.state = 'handshake';
    this.lastIo = Date.now();
    this.expect.push('ping');
    this.send(['PING']);
  }

  private send(argv: string[]): void {
    if (this.socket !== null && !this.socket.destroyed) this.socket.write(encodeCommand(argv));
  }

  private onData(d: Buffer): void {
    if (this.dead) return;
    this.lastIo = Date.now();
    this.repl.stats.replInput += d.length;
    if (this.state === 'connected') {
      this.streamData(d);
      return;
    }
    this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
    this.advance();
  }

  private onClose(): void {
    if (this.dead) return;
    if (this.state === 'connected') this.drop('Connection with master lost.');
    else if (this.state === 'transfer') this.drop('I/O error trying to sync with MASTER: connection lost');
    else this.drop(`Error condition on socket for SYNC: ${this.lastError || 'Connection lost'}`);
  }

  /**
   * Ends the link. A link whose stream was flowing leaves what it applied for the
   * next one to continue from (Redis caches the master client).
   */
  drop(msg: string): void {
    if (this.dead) return;
    this.dead = true;
    const repl = this.repl;
    const s = repl.server;
    const wasUp = this.state === 'connected';
    if (msg) s.log.warning(msg);
    if (wasUp && this.client !== null) {
      this.forward();
      s.log.notice('Caching the disconnected master state.');
      const c = this.client;
      repl.cached = { replid: repl.replid, offset: this.reploff, db: c.db.id };
      this.client = null;
      s.freeClient(c);
    }
    this.payloadBuf = null;
    this.chunks = [];
    this.raw = [];
    if (this.socket !== null) this.socket.destroy();
    repl.linkEnded(this, wasUp);
  }

  // ---- handshake ----------------------------------------------------------------------------

  /** Processes what `inbuf` holds for the current state. */
  private advance(): void {
    while (!this.dead) {
      if (this.state === 'handshake' || (this.state === 'transfer' && !this.haveHeader)) {
        const line = this.takeLine();
        if (line === null) return;
        if (line === '') continue; // keepalive newline
        if (this.state === 'handshake') this.onReply(line);
        else this.onBulkHeader(line);
        continue;
      }
      const data = this.inbuf;
      this.inbuf = EMPTY;
      if (data.length === 0) return;
      if (this.state === 'transfer') this.payload(data);
      else if (this.state === 'connected') this.streamData(data);
      return;
    }
  }

  private takeLine(): string | null {
    const buf = this.inbuf;
    const nl = buf.indexOf(10);
    if (nl < 0) {
      if (buf.length > HANDSHAKE_LINE_MAX) this.drop('Protocol error from MASTER: reply line too long');
      return null;
    }
    const end = nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl;
    const line = buf.toString('latin1', 0, end);
    this.inbuf = buf.subarray(nl + 1);
    return line;
  }

  private onReply(line: string): void {
    const log = this.repl.server.log;
    const step = this.expect.shift();
    const err = line.startsWith('-');
    switch (step) {
      case 'ping':
        if (err && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
          this.drop(`Error reply to PING from master: '${line}'`);
          return;
        }
        log.notice('Master replied to PING, replication can continue...');
        this.sendHandshake();
        return;
      case 'auth':
        if (err) this.drop(`Unable to AUTH to MASTER: ${line}`);
        return;
      case 'port':
        if (err) log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        return;
      case 'ip':
        if (err) log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        return;
      case 'capa':
        if (err) log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
        this.sendPsync();
        return;
      case 'psync':
        this.onPsyncReply(line);
        return;
      default:
        this.drop(`Unexpected reply from MASTER during the handshake: '${line}'`);
    }
  }

  private sendHandshake(): void {
    const s = this.repl.server;
    const cfg = s.config;
    const parts: Buffer[] = [];
    const pass = cfg.getString('masterauth');
    if (pass !== '') {
      const user = cfg.getString('masteruser');
      parts.push(encodeCommand(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]));
      this.expect.push('auth');
    }
    // As Redis: a replica linked over TLS announces its TLS port.
    const tlsPort = cfg.getBool('tls-replication') ? s.tlsPort : 0;
    const port = cfg.getNumber('replica-announce-port') || tlsPort || s.port || cfg.getNumber('port');
    parts.push(encodeCommand(['REPLCONF', 'listening-port', String(port)]));
    this.expect.push('port');
    const ip = cfg.getString('replica-announce-ip');
    if (ip !== '') {
      parts.push(encodeCommand(['REPLCONF', 'ip-address', ip]));
      this.expect.push('ip');
    }
    parts.push(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    this.expect.push('capa');
    if (this.socket !== null && !this.socket.destroyed) this.socket.write(Buffer.concat(parts));
  }

  private sendPsync(): void {
    const log = this.repl.server.log;
    const cached = this.repl.cached;
    const argv = ['PSYNC'];
    if (cached !== null) {
      argv.push(cached.replid, String(cached.offset + 1));
      log.notice(`Trying a partial resynchronization (request ${cached.replid}:${cached.offset + 1}).`);
    } else {
      argv.push('?', '-1');
      log.notice('Partial resynchronization not possible (no cached master)');
    }
    if (this.forFailover) argv.push('FAILOVER');
    this.expect.push('psync');
    this.send(argv);
  }

  private onPsyncReply(line: string): void {
    const repl = this.repl;
    const log = repl.server.log;
    if (line.startsWith('+FULLRESYNC')) {
      const parts = line.split(' ');
      const id = parts[1] ?? '';
      const off = Number(parts[2]);
      if (id.length !== MARK_LEN || !Number.isSafeInteger(off) || off < 0) {
        this.drop('Master replied with wrong +FULLRESYNC syntax.');
        return;
      }
      log.notice(`Full resync from master: ${id}:${off}`);
      if (repl.cached !== null) {
        log.notice('Discarding previously cached master state.');
        repl.cached = null;
      }
      this.psyncReplid = id;
      this.psyncOffset = off;
      this.state = 'transfer';
      this.haveHeader = false;
      this.size = -1;
      repl.failover.psyncAccepted();
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const cached = repl.cached;
      if (cached === null) {
        this.drop('Master accepted a partial resynchronization we did not ask for');
        return;
      }
      log.notice('Successful partial resynchronization with master.');
      const id = line.slice('+CONTINUE'.length).trim();
      if (id.length === MARK_LEN && id !== cached.replid) {
        // The primary's history continues under a new id (it was promoted):
        // ours does too, and our replicas must learn it.
        repl.replid2 = cached.replid;
        repl.secondReplOffset = cached.offset + 1;
        repl.replid = id;
        log.warning(`Master replication ID changed to ${id}`);
        repl.disconnectReplicas();
      } else if (repl.replid !== cached.replid) {
        repl.replid = cached.replid;
      }
      repl.cached = null;
      log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.startStream(cached.offset, cached.db);
      repl.failover.psyncAccepted();
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      this.drop('');
    } else {
      this.drop(`Unexpected reply to PSYNC from master: ${line}`);
    }
    repl.failover.psyncRejected();
  }

  // ---- transfer -----------------------------------------------------------------------------

  private onBulkHeader(line: string): void {
    const log = this.repl.server.log;
    if (line.startsWith('-')) {
      this.drop(`MASTER aborted replication with an error: ${line.slice(1)}`);
      return;
    }
    if (!line.startsWith('$')) {
      this.drop(`Bad protocol from MASTER, the first byte is not '$' (we received '${line.slice(0, 64)}'), are you sure the host and port are right?`);
      return;
    }
    const toDisk = this.repl.server.config.getString('repl-diskless-load') === 'disabled';
    if (line.startsWith('$EOF:') && line.length >= 5 + MARK_LEN) {
      this.mark = Buffer.from(line.slice(5, 5 + MARK_LEN), 'latin1');
      this.size = 0;
      log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${toDisk ? 'to disk' : 'to parser'}`);
    } else {
      const n = Number(line.slice(1));
      if (!Number.isSafeInteger(n) || n < 0) {
        this.drop(`Bad protocol from MASTER: invalid bulk length '${line.slice(0, 64)}'`);
        return;
      }
      if (n > TRANSFER_BYTES_MAX) {
        this.drop(`MASTER <-> REPLICA sync: payload of ${n} bytes is larger than this replica accepts (${TRANSFER_BYTES_MAX})`);
        return;
      }
      this.size = n;
      this.payloadBuf = Buffer.allocUnsafe(n);
      log.notice(`MASTER <-> REPLICA sync: receiving ${n} bytes from master ${toDisk ? 'to disk' : 'to parser'}`);
    }
    this.haveHeader = true;
    this.read = 0;
  }

  private payload(data: Buffer): void {
    if (this.mark === null) {
      const buf = this.payloadBuf!;
      const need = this.size - this.read;
      const n = Math.min(need, data.length);
      data.copy(buf, this.read, 0, n);
      this.read += n;
      if (this.read < this.size) return;
      this.payloadBuf = null;
      this.finishTransfer(buf, data.subarray(n));
      return;
    }
    // EOF-delimited: find the mark, possibly across the previous read's tail.
    const tail = this.tail;
    const win = tail.length > 0 ? Buffer.concat([tail, data]) : data;
    const at = win.indexOf(this.mark);
    const before = this.read;
    this.read += data.length;
    this.chunks.push(data);
    if (at < 0) {
      if (this.read > TRANSFER_BYTES_MAX) {
        this.drop(`MASTER <-> REPLICA sync: payload larger than this replica accepts (${TRANSFER_BYTES_MAX} bytes)`);
        return;
      }
      this.tail = win.subarray(Math.max(0, win.length - (MARK_LEN - 1)));
      return;
    }
    const payloadLen = before - tail.length + at;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.read);
    this.chunks = [];
    this.tail = EMPTY;
    this.read = payloadLen;
    this.finishTransfer(all.subarray(0, payloadLen), win.subarray(at + MARK_LEN));
  }

  /** Sizes for INFO's master_sync_* fields. */
  transferInfo(): { size: number; read: number } {
    return { size: this.size, read: this.read };
  }

  /**
   * The payload is complete: store it (repl-diskless-load disabled), load it into
   * scratch databases swapped in when complete, take the primary's id and offset,
   * and start the stream with whatever followed the payload.
   */
  private finishTransfer(payload: Buffer, rest: Buffer): void {
    const repl = this.repl;
    const s = repl.server;
    const log = s.log;
    if (s.config.getString('repl-diskless-load') === 'disabled') {
      const target = rdbPath(s);
      const tmp = resolve(s.config.getString('dir'), `temp-${Date.now()}.${process.pid}.rdb`);
      try {
        writeFileAtomicSync(target, tmp, payload);
      } catch (e) {
        this.drop(`Failed trying to rename the temp DB into ${target} in MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
        return;
      }
    }
    const streamDb = replStreamDb(s, payload);
    repl.beginFullSyncLoad();
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    try {
      loadRdbBuffer(s, payload, 'replace');
    } catch (e) {
      this.drop(`Failed trying to load the MASTER synchronization DB from disk, check server logs. (${(e as Error).message})`);
      return;
    }
    repl.fullSyncLoaded(this.psyncReplid, this.psyncOffset);
    log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.startStream(this.psyncOffset, streamDb);
    // A primary that sent an EOF mark starts the stream at our first ACK.
    if (this.mark !== null) this.sendAck();
    this.mark = null;
    let aofOn = false;
    try {
      aofOn = aofStateOf(s).enabled;
    } catch {
      /* no AOF on this server */
    }
    if (aofOn) {
      // The AOF does not hold the loaded dataset: turn it off and on again, which
      // writes a new base from it (until that base is complete the old files stay
      // as they were, so a crash meanwhile loads the old dataset, never a mix).
      log.notice('MASTER <-> REPLICA sync: restarting the AOF from the new dataset');
      restartAppendOnlyAfterLoad(s);
    }
    if (rest.length > 0 && !this.dead) this.streamData(rest);
  }

  // ---- the stream ---------------------------------------------------------------------------

  /** The stream follows from `offset` (the last byte already in the dataset), in database `db`. */
  private startStream(offset: number, db: number): void {
    const s = this.repl.server;
    const c = new Client(s, this.socket, s.ks.dbs[db] ?? s.ks.dbs[0], s.newClientId());
    c.flags |= CLIENT_MASTER | CLIENT_REPLY_OFF;
    c.authenticated = true;
    c.parser.limits = { protoMaxBulkLen: MAX_STRING_LENGTH };
    s.clients.set(c.id, c);
    this.client = c;
    this.state = 'connected';
    this.reploff = offset;
    this.readReploff = offset;
    this.rawBase = offset;
    this.raw = [];
    this.repl.linkUp();
    const leftover = this.inbuf;
    this.inbuf = EMPTY;
    if (leftover.length > 0) this.streamData(leftover);
  }

  /**
   * Applies the primary's commands. A malformed stream drops the link after what
   * was applied so far; the next link continues from that offset.
   */
  private streamData(d: Buffer): void {
    const c = this.client;
    if (c === null) return;
    const s = this.repl.server;
    const ks = s.ks;
    this.readReploff += d.length;
    if (this.readReploff - this.reploff > PRIMARY_PENDING_BYTES_MAX) {
      this.drop(`The master sent more than ${PRIMARY_PENDING_BYTES_MAX} bytes without a complete command or transaction: dropping the link.`);
      return;
    }
    this.raw.push(d);
    c.parser.feed(d, false);
    for (;;) {
      let argv: string[] | null;
      try {
        argv = c.parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.drop(`Protocol error (${e.message}) in the stream from the master: dropping the link; it resumes from offset ${this.reploff}.`);
        return;
      }
      if (argv === null) break;
      const errors = s.stats.errorReplies;
      ks.obeyPrimary = true;
      try {
        s.processCommand(c, argv);
      } finally {
        ks.obeyPrimary = false;
      }
      if (this.client !== c) return;
      if (s.stats.errorReplies !== errors) {
        s.log.warning(`== CRITICAL == This replica is sending an error to its master after processing the command '${argv[0].slice(0, 128)}'`);
      }
      if ((c.flags & CLIENT_MULTI) === 0) this.reploff = this.readReploff - c.parser.pendingBytes;
    }
    c.lastInteraction = this.lastIo;
    this.forward();
  }

  /** Hands the applied bytes not yet forwarded to the backlog and our replicas. */
  private forward(): void {
    let n = this.reploff - this.rawBase;
    while (n > 0 && this.raw.length > 0) {
      const b = this.raw[0];
      if (b.length <= n) {
        this.repl.feedApplied(b, 0, b.length);
        n -= b.length;
        this.rawBase += b.length;
        this.raw.shift();
      } else {
        this.repl.feedApplied(b, 0, n);
        this.raw[0] = b.subarray(n);
        this.rawBase += n;
        n = 0;
      }
    }
  }

  /** REPLCONF ACK <applied offset> [FACK <AOF fsynced offset>]. */
  sendAck(): void {
    if (this.client === null || this.socket === null || this.socket.destroyed) return;
    const argv = ['REPLCONF', 'ACK', String(this.reploff)];
    try {
      const st = aofStateOf(this.repl.server);
      if (st.enabled) argv.push('FACK', String(st.fsyncedReplOffset));
    } catch {
      /* no AOF on this server */
    }
    this.socket.write(encodeCommand(argv));
  }

  /** Timeouts (repl-timeout): connecting and handshake, transfer, a silent primary. */
  cron(now: number, timeoutMs: number): void {
    if (now - this.lastIo <= timeoutMs) return;
    if (this.state === 'connecting' || this.state === 'handshake') this.drop('Timeout connecting to the MASTER...');
    else if (this.state === 'transfer') {
      this.drop("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
    } else if (this.state === 'connected') this.drop('MASTER timeout: no data nor PING received...');
  }
}

/** The repl-stream-db aux field of a replication RDB (the database the stream is in), 0 when absent. */
function replStreamDb(s: Replication['server'], payload: Buffer): number {
  let db = 0;
  try {
    const r = new RdbReader(payload, 0, payload.length, s.config);
    r.pos = 9;
    while (r.pos < payload.length && payload[r.pos] === RDB_OPCODE.AUX) {
      r.pos++;
      const k = r.string();
      const v = r.string();
      if (k === 'repl-stream-db') {
        const n = Number(v);
        if (Number.isInteger(n) && n >= 0 && n < s.ks.dbs.length) db = n;
      }
    }
  } catch {
    /* the loader reports a malformed file */
  }
  return db;
}
