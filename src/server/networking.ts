// Networking: the TCP and unix-socket listeners, accepting connections (maxclients,
// protected mode), reading into the server's one read buffer, and writing replies:
// every client with pending output is written once per event-loop turn, after all
// ready sockets were read (Redis writes in beforeSleep), with the output buffer
// limits enforced at that point.

import net from 'node:net';
import tls from 'node:tls';
import { getSystemErrorName } from 'node:util';
import { existsSync, unlinkSync } from 'node:fs';
import type { Server } from './server.js';
import { Client, CLIENT_CLOSE_AFTER_REPLY, CLIENT_CLOSE_ASAP, CLIENT_MASTER, CLIENT_REPLICA } from './client.js';
import { TlsState, opensslError } from './tls.js';

const PROTECTED_MODE_MSG =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/** Bytes of the shared read buffer: one socket read at most. */
const READ_BUFFER_BYTES = 64 * 1024;

/** One address of a `bind` list, as Redis reads it: "-" marks an optional one, `*` and `::*` the wildcards. */
interface BindTarget {
  raw: string;
  addr: string;
  optional: boolean;
  ipv6Only: boolean;
}

function bindTargets(binds: string[]): BindTarget[] {
  const hasV4Any = binds.some((b) => b === '*' || b === '0.0.0.0' || b === '-*' || b === '-0.0.0.0');
  return binds.map((raw) => {
    const optional = raw.startsWith('-');
    let addr = optional ? raw.slice(1) : raw;
    if (addr === '*') addr = '0.0.0.0';
    if (addr === '::*') addr = '::';
    return { raw, addr, optional, ipv6Only: addr === '::' && hasV4Any };
  });
}

/** libuv's TCP handle as Node's tcp_wrap binding gives it: bind and listen answer at once, with an errno. */
interface TcpHandle {
  bind(addr: string, port: number): number | undefined;
  bind6(addr: string, port: number, flags: number): number | undefined;
  listen(backlog: number): number | undefined;
  close(): void;
}
interface TcpWrap {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number };
}
/** libuv's UV_TCP_IPV6ONLY flag of uv_tcp_bind. */
const UV_TCP_IPV6ONLY = 1;

function tcpWrap(): TcpWrap | null {
  try {
    return (process as unknown as { binding(name: string): TcpWrap }).binding('tcp_wrap');
  } catch {
    return null;
  }
}

/** strerror's text for the errors a bind or listen gives. */
function bindErrorText(errno: number): string {
  const name = getSystemErrorName(errno);
  switch (name) {
    case 'EADDRINUSE':
      return 'Address already in use';
    case 'EADDRNOTAVAIL':
      return 'Cannot assign requested address';
    case 'EACCES':
      return 'Permission denied';
    case 'EAFNOSUPPORT':
      return 'Address family not supported by protocol';
    case 'EINVAL':
      return 'Invalid argument';
    default:
      return name;
  }
}

/**
 * Binds and listens on addr:port at once, as Redis's listenToPort does, so that
 * CONFIG SET can answer whether it worked: a TCP handle of its own, bound and
 * listening, that net.Server then adopts. Returns the handle, or the errno.
 */
function listenSync(addr: string, port: number, ipv6Only: boolean, backlog: number): TcpHandle | number {
  const wrap = tcpWrap();
  if (wrap === null) return -22; // EINVAL: this Node has no tcp_wrap binding
  const h = new wrap.TCP(wrap.constants.SERVER);
  let err = net.isIPv6(addr) ? h.bind6(addr, port, ipv6Only ? UV_TCP_IPV6ONLY : 0) : h.bind(addr, port);
  // libuv reports EADDRINUSE at listen(), not at bind().
  if (!err) err = h.listen(backlog);
  if (err) {
    h.close();
    return err;
  }
  return h;
}

export class Networking {
  /** TCP listeners (one per bind address). */
  private listeners: net.Server[] = [];
  /** TLS listeners on tls-port (one per bind address), next to the plaintext ones. */
  private tlsListeners: tls.Server[] = [];
  /** Raw connections of the TLS listeners still in their handshake (they count toward maxclients). */
  private handshaking = new Set<net.Socket>();
  /** The unix socket listener, if any: CONFIG SET port/bind leave it alone. */
  private unixListener: net.Server | null = null;
  /** Where adopted sockets read (see adoptSocket); each read is parsed before the next. */
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** Clients with reply bytes waiting to be written. */
  private pending: Client[] = [];
  private inIO = false;
  private flushScheduled = false;

  constructor(private readonly host: Server) {}

  /** Stops listening (server close). */
  closeListeners(): void {
    for (const l of this.listeners) l.close();
    this.listeners = [];
    for (const l of this.tlsListeners) l.close();
    this.tlsListeners = [];
    this.unixListener?.close();
    this.unixListener = null;
  }

  /**
   * CONFIG SET port / bind (Redis's changeListenPort and changeBindAddr): closes the
   * TCP listeners and listens on `port` at the configured bind addresses, at once,
   * so that the reply says whether it worked. Port 0 means no TCP listener. An
   * optional address ("-addr") that is not on this machine is skipped; any other
   * failure closes what was opened and returns false: the caller restores the old
   * values and calls this again. Connected clients stay connected; the unix socket
   * is not touched.
   */
  rebindTcp(port: number): boolean {
    for (const l of this.listeners) l.close();
    this.listeners = [];
    this.host.port = 0;
    if (port === 0) return true;
    const backlog = this.host.config.getNumber('tcp-backlog');
    const opened: net.Server[] = [];
    for (const t of bindTargets(this.host.config.getList('bind'))) {
      const h = listenSync(t.addr, port, t.ipv6Only, backlog);
      if (typeof h === 'number') {
        const name = getSystemErrorName(h);
        this.host.log.warning(`Warning: Could not create server TCP listening socket ${t.raw}:${port}: bind: ${bindErrorText(h)}`);
        if (t.optional && (name === 'EADDRNOTAVAIL' || name === 'EAFNOSUPPORT' || name === 'EPROTONOSUPPORT')) continue;
        for (const l of opened) l.close();
        return false;
      }
      const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.accept(s, false));
      srv.on('error', (e) => this.host.log.warning(`Listener error: ${e.message}`));
      srv.listen(h);
      opened.push(srv);
    }
    this.listeners = opened;
    this.host.port = port;
    return true;
  }

  /** CONFIG SET tls-port (and bind, for the TLS listeners): as rebindTcp, with TLS listeners. TLS must be configured. */
  rebindTls(port: number): boolean {
    for (const l of this.tlsListeners) l.close();
    this.tlsListeners = [];
    this.host.tlsPort = 0;
    if (port === 0) return true;
    const backlog = this.host.config.getNumber('tcp-backlog');
    const opened: tls.Server[] = [];
    for (const t of bindTargets(this.host.config.getList('bind'))) {
      const h = listenSync(t.addr, port, t.ipv6Only, backlog);
      if (typeof h === 'number') {
        const name = getSystemErrorName(h);
        this.host.log.warning(`Warning: Could not create server TLS listening socket ${t.raw}:${port}: bind: ${bindErrorText(h)}`);
        if (t.optional && (name === 'EADDRNOTAVAIL' || name === 'EAFNOSUPPORT' || name === 'EPROTONOSUPPORT')) continue;
        for (const l of opened) l.close();
        return false;
      }
      const srv = this.tlsServer();
      srv.listen(h);
      opened.push(srv);
    }
    this.tlsListeners = opened;
    this.host.tlsPort = port;
    return true;
  }

  /** CONFIG SET of a certificate or cipher directive: new connections of every TLS listener use the new context. */
  reloadTls(): void {
    for (const l of this.tlsListeners) l.setSecureContext(this.host.tls.contextOptions());
  }

  /**
   * A TLS listener. A raw connection past maxclients (handshakes in progress
   * included) is dropped before its handshake; a failed handshake, or a client
   * certificate tls-auth-clients refuses, is logged as Redis logs it and closed; a
   * connection whose handshake completed becomes a client as a plaintext one does.
   */
  private tlsServer(): tls.Server {
    const cfg = this.host.config;
    const srv = tls.createServer(this.host.tls.listenerOptions(cfg));
    // Before tls.Server's own 'connection' listener wraps the socket: the limit, and tls-auth-clients as it is now.
    srv.prependListener('connection', (raw: net.Socket) => {
      (srv as unknown as { requestCert: boolean }).requestCert = TlsState.requestCert(cfg);
      if (this.host.clients.size + this.handshaking.size >= cfg.getNumber('maxclients')) {
        this.host.stats.connectionsReceived++;
        this.host.stats.rejectedConnections++;
        raw.destroy();
        return;
      }
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    srv.on('tlsClientError', (e: Error, t: tls.TLSSocket) => {
      this.host.log.warning(`Error accepting a client connection: ${opensslError(e)}`);
      t.destroy();
    });
    srv.on('secureConnection', (t: tls.TLSSocket) => {
      const raw = (t as unknown as { _parent?: net.Socket })._parent;
      if (raw) this.handshaking.delete(raw);
      const refused = TlsState.checkClient(cfg, t);
      if (refused !== null) {
        this.host.log.warning(`Error accepting a client connection: ${refused}`);
        t.destroy();
        return;
      }
      this.accept(t, false, true);
    });
    srv.on('error', (e) => this.host.log.warning(`Listener error: ${e.message}`));
    return srv;
  }


  /** Opens the TCP listeners and the unix socket. Resolves when all are listening. */
  async listen(): Promise<void> {
    const port = this.host.config.getNumber('port');
    const binds = this.host.config.getList('bind');
    if (port !== 0 || binds.length > 0) {
      let anyBound = false;
      for (const { raw, addr, optional, ipv6Only } of bindTargets(binds)) {
        try {
          await this.listenOn(port, addr, ipv6Only);
          anyBound = true;
        } catch (e) {
          if (optional) continue;
          const err = e as NodeJS.ErrnoException;
          this.host.log.warning(`Warning: Could not create server TCP listening socket ${raw}:${port}: ${err.message}`);
          throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
        }
      }
      if (!anyBound && binds.length > 0) throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
    }
    const tlsPort = this.host.config.getNumber('tls-port');
    if (tlsPort !== 0) {
      for (const { raw, addr, ipv6Only, optional } of bindTargets(binds.length > 0 ? binds : ['*'])) {
        try {
          await this.listenTlsOn(tlsPort, addr, ipv6Only);
        } catch (e) {
          if (optional) continue;
          this.host.log.warning(`Warning: Could not create server TLS listening socket ${raw}:${tlsPort}: ${(e as Error).message}`);
          throw new Error(`Failed listening on port ${tlsPort} (tls), aborting.`);
        }
      }
    }
    const sock = this.host.config.getString('unixsocket');
    if (sock) {
      if (existsSync(sock)) unlinkSync(sock);
      const srv = net.createServer({ pauseOnConnect: true }, (s) => this.accept(s, true));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(sock, () => resolve());
      });
      this.host.unixPath = sock;
      this.unixListener = srv;
    }
  }

  private listenOn(port: number, host: string, ipv6Only: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, (s) => this.accept(s, false));
      srv.once('error', reject);
      srv.listen({ port: this.host.port || port, host, ipv6Only, backlog: this.host.config.getNumber('tcp-backlog') }, () => {
        const a = srv.address();
        if (a && typeof a === 'object') this.host.port = a.port;
        srv.removeListener('error', reject);
        srv.on('error', (e) => this.host.log.warning(`Listener error: ${e.message}`));
        this.listeners.push(srv);
        resolve();
      });
    });
  }

  private listenTlsOn(port: number, host: string, ipv6Only: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const srv = this.tlsServer();
      srv.once('error', reject);
      srv.listen({ port, host, ipv6Only, backlog: this.host.config.getNumber('tcp-backlog') }, () => {
        const a = srv.address();
        if (a && typeof a === 'object') this.host.tlsPort = a.port;
        srv.removeListener('error', reject);
        this.tlsListeners.push(srv);
        resolve();
      });
    });
  }

  private isLocal(socket: net.Socket, unix: boolean): boolean {
    if (unix) return true;
    // Redis's connIsLocal: 127.0.0.1 and ::1 only, not the rest of 127/8.
    const a = socket.remoteAddress ?? '';
    return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
  }

  /**
   * A new connection (accepted paused, see listenOn). Its reads go straight into
   * the server's read buffer when Node allows it (adoptSocket), otherwise through
   * 'data' events.
   */
  private accept(accepted: net.Socket, unix: boolean, secure = false): void {
    this.host.stats.connectionsReceived++;
    if (this.host.shuttingDown) {
      accepted.destroy();
      return;
    }
    if (this.host.clients.size >= this.host.config.getNumber('maxclients')) {
      this.host.stats.rejectedConnections++;
      accepted.resume();
      accepted.end('-ERR max number of clients reached\r\n');
      return;
    }
    // Redis 7's rule: protected mode refuses every non-loopback client while the
    // default user has no password, whatever the bind addresses are.
    if (this.host.config.getBool('protected-mode') && !this.host.requiresAuth() && !this.isLocal(accepted, unix)) {
      this.host.stats.rejectedConnections++;
      accepted.resume();
      accepted.end(PROTECTED_MODE_MSG);
      return;
    }
    let c: Client | null = null;
    const readBuf = this.readBuffer;
    // A TLS socket's reads are decrypted by Node: they come as 'data' events.
    const adopted = secure
      ? null
      : adoptSocket(accepted, readBuf, (n: number) => {
          if (c !== null) this.onData(c, readBuf.subarray(0, n), true);
        });
    const socket = adopted ?? accepted;
    socket.setNoDelay(true);
    const keepalive = this.host.config.getNumber('tcp-keepalive');
    if (keepalive > 0 && !unix) socket.setKeepAlive(true, keepalive * 1000);
    const client = new Client(this.host, socket, this.host.ks.dbs[0], this.host.newClientId());
    c = client;
    this.host.clients.set(client.id, client);
    if (adopted === null) {
      socket.on('data', (chunk: Buffer) => this.onData(client, chunk, false));
      socket.resume();
    }
    this.watchSocket(client, socket);
  }

  private watchSocket(c: Client, socket: net.Socket): void {
    socket.on('error', () => {
      /* reported through 'close' */
    });
    socket.on('close', () => this.host.freeClient(c));
    socket.on('drain', () => {
      c.obufSoftLimitReachedAt = 0;
    });
  }

  /** Bytes read from a client. `borrowed`: `chunk` is the shared read buffer, overwritten by the next read. */
  private onData(c: Client, chunk: Buffer, borrowed: boolean): void {
    if (c.flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY)) return;
    this.inIO = true;
    c.netIn += chunk.length;
    this.host.stats.netInput += chunk.length;
    this.host.stats.totalReads++;
    c.parser.feed(chunk, borrowed);
    if (c.parser.bufferedBytes > this.host.queryBufferLimit) {
      this.host.log.warning(`Closing client that reached max query buffer length: ${this.host.clientInfoLine(c)} (qbuf initial bytes: ...)`);
      this.host.stats.queryBufferLimitDisconnections++;
      c.parser.releaseInput();
      this.host.closeClient(c);
      this.inIO = false;
      return;
    }
    try {
      this.host.processInputBuffer(c);
    } finally {
      // What is left (a partial command, commands behind a blocked one) must not
      // stay in the shared read buffer.
      if (borrowed) c.parser.releaseInput();
    }
    this.inIO = false;
    if (!this.ioFlushScheduled) {
      this.ioFlushScheduled = true;
      setImmediate(this.ioFlush);
    }
  }

  /**
   * Replies to what was read are written once every ready socket of this event-loop
   * turn has been read and run (setImmediate runs after the poll phase), as Redis
   * writes in beforeSleep, not after each read. Writing after each read woke a
   * waiting client process once per socket: at pipeline 16 the kernel's wake-up path
   * (sock_def_readable) was 29% of the server's CPU against 4.7% in redis-server,
   * and SET went from 2.37 to 1.37 CPU µs per request when the writes were batched.
   */
  private ioFlushScheduled = false;
  private readonly ioFlush = (): void => {
    this.ioFlushScheduled = false;
    this.flushPending();
  };

  markPending(c: Client): void {
    this.pending.push(c);
    if (!this.inIO && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => {
        this.flushScheduled = false;
        this.flushPending();
      });
    }
  }

  /** Writes every pending reply, one socket write per client, and enforces output limits. */
  flushPending(): void {
    const list = this.pending;
    if (list.length === 0) return;
    for (let i = 0; i < this.host.beforeFlushHooks.length; i++) if (!this.host.beforeFlushHooks[i]()) return;
    this.pending = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      c.pendingFlush = false;
      const s = c.socket;
      if (c.out.length > 0) {
        const out = c.out;
        c.out = '';
        if (s && !s.destroyed) {
          s.write(out, 'latin1');
          c.netOut += out.length;
          this.host.stats.netOutput += out.length;
          this.host.stats.totalWrites++;
        }
      }
      if (s && (c.flags & CLIENT_CLOSE_AFTER_REPLY) !== 0) {
        s.end();
        // As Redis frees the client once its reply is written: from here on no command of
        // another client sees it (a tracking redirection to it is broken, CLIENT LIST
        // leaves it out), whenever the socket's 'close' event comes (freeClient runs once).
        this.host.freeClient(c);
        continue;
      }
      if (s && s.writableLength > 0) this.checkOutputBufferLimits(c);
    }
  }

  /** Output buffer class of a client for client-output-buffer-limit. */
  private obufClass(c: Client): string {
    if (c.flags & CLIENT_REPLICA) return 'slave';
    if (c.subscriptionCount > 0) return 'pubsub';
    return 'normal';
  }

  /** Closes a client whose pending output passed its hard limit, or its soft limit for too long. */
  checkOutputBufferLimits(c: Client): boolean {
    const s = c.socket;
    if (!s || (c.flags & (CLIENT_MASTER | CLIENT_CLOSE_ASAP)) !== 0) return false;
    const used = s.writableLength + c.out.length;
    c.lastMemory = used;
    const limits = this.host.config.getList('client-output-buffer-limit');
    const cls = this.obufClass(c);
    const i = limits.indexOf(cls);
    if (i < 0) return false;
    const hard = Number(limits[i + 1]);
    const soft = Number(limits[i + 2]);
    const softSecs = Number(limits[i + 3]);
    let over = false;
    if (hard > 0 && used >= hard) over = true;
    if (soft > 0 && used >= soft) {
      if (c.obufSoftLimitReachedAt === 0) c.obufSoftLimitReachedAt = Date.now();
      else if (Date.now() - c.obufSoftLimitReachedAt >= softSecs * 1000) over = true;
    } else {
      c.obufSoftLimitReachedAt = 0;
    }
    if (over) {
      this.host.log.warning(`Client ${this.host.clientInfoLine(c)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.host.stats.outputBufferLimitDisconnections++;
      this.host.closeClient(c);
      return true;
    }
    return false;
  }
}

/**
 * Re-wraps an accepted connection in a net.Socket that reads into `buffer` and
 * calls `onread(bytes)` (Node's `onread` socket option) instead of allocating a
 * Buffer and emitting 'data' for every read; at one command per read (no
 * pipelining) that machinery was about a third of the server's own CPU time per
 * request. net.Server cannot be asked for such sockets, so the accepted socket,
 * still paused (pauseOnConnect), hands its handle over; the server's connection
 * count moves along with it. Returns null, leaving `accepted` untouched, when
 * this Node does not support it.
 */
function adoptSocket(accepted: net.Socket, buffer: Buffer, onread: (bytes: number) => void): net.Socket | null {
  type Internals = { _handle: { useUserBuffer?: unknown; readStop?: unknown } | null; _server: unknown; server: unknown };
  const old = accepted as unknown as Internals;
  const handle = old._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || accepted.readableFlowing === true) return null;
  let s: net.Socket;
  try {
    s = new net.Socket({ handle, readable: true, writable: true, onread: { buffer, callback: onread } } as net.SocketConstructorOpts);
  } catch {
    return null;
  }
  const fresh = s as unknown as Internals;
  old._handle = null;
  fresh._server = old._server;
  fresh.server = old.server;
  old._server = null;
  old.server = null;
  return s;
}

