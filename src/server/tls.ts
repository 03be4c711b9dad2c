// TLS (Redis's tls.c on Node's tls module): the server context built from the tls-*
// directives, the options of the server side of an accepted connection, and those
// of our outgoing links (replication, sentinel) with the client certificate.
//
// Configured at start-up when tls-port, tls-replication or tls-cluster is set, and
// again by CONFIG SET of any certificate, protocol, cipher or session directive
// (Redis's applyTlsCfg): a failure keeps the previous context and logs Redis's
// reason. New connections take the context in force when they arrive; connections
// already established keep theirs.
//
// tls-auth-clients: yes requests a certificate and refuses a client without one;
// optional requests one and refuses only an invalid one; no does not ask.
//
// Limits: a connection has TLS_HANDSHAKE_TIMEOUT_MS to complete its handshake, and
// handshakes in progress count toward maxclients (networking.ts), so a client that
// connects and stays silent holds nothing for long.
//
// Handshake failures are logged as redis-server logs them: "Error accepting a client
// connection: <OpenSSL's error>" (opensslError turns Node's text into that form).

import tls from 'node:tls';
import { constants as cryptoConstants } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from './log.js';

export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Largest file read from tls-ca-cert-dir (a CA directory holds certificates, not data). */
const CA_DIR_MAX_FILE = 1024 * 1024;

const PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Protocol = (typeof PROTOCOLS)[number];

class TlsConfigError extends Error {}

/** OpenSSL's text for a file that could not be read (what Redis logs for it). */
function fileError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'error:80000002:system library::No such file or directory';
  if (code === 'EACCES') return 'error:8000000D:system library::Permission denied';
  if (code === 'EISDIR') return 'error:80000015:system library::Is a directory';
  return (e as Error).message;
}

function readOr(path: string, what: (err: string) => string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(what(fileError(e)));
  }
}

/** tls-protocols as Node's minVersion/maxVersion (Redis's default: TLSv1.2 and TLSv1.3). */
function protocolRange(text: string): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const picked = new Set<Protocol>();
  if (words.length === 0) {
    picked.add('TLSv1.2');
    picked.add('TLSv1.3');
  }
  for (const w of words) {
    const p = PROTOCOLS.find((x) => x.toLowerCase() === w.toLowerCase());
    if (p === undefined) throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
    picked.add(p);
  }
  const idx = [...picked].map((p) => PROTOCOLS.indexOf(p)).sort();
  // OpenSSL disables the ones not listed; Node takes a range, which is the same for any contiguous choice.
  return { minVersion: PROTOCOLS[idx[0]] as tls.SecureVersion, maxVersion: PROTOCOLS[idx[idx.length - 1]] as tls.SecureVersion };
}

/** Every certificate file of tls-ca-cert-dir (OpenSSL's CApath holds hashed links to PEM files). */
function caDir(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new TlsConfigError(`Failed to configure CA certificate(s) file/directory: ${fileError(e)}`);
  }
  const out: Buffer[] = [];
  for (const n of names.sort()) {
    const p = join(dir, n);
    try {
      const st = statSync(p);
      if (!st.isFile() || st.size > CA_DIR_MAX_FILE) continue;
      const b = readFileSync(p);
      if (b.includes('-----BEGIN CERTIFICATE-----')) out.push(b);
    } catch {
      /* unreadable entries are skipped, as OpenSSL's lookup does */
    }
  }
  return out;
}

interface Built {
  /** The context options of the listeners (tls.Server#setSecureContext takes them on a reload). */
  contextOptions: tls.SecureContextOptions;
  clientOptions: tls.ConnectionOptions;
}

/** Builds the server and client contexts from the configuration; throws TlsConfigError with Redis's log line. */
function build(cfg: Config): Built {
  const certFile = cfg.getString('tls-cert-file');
  const keyFile = cfg.getString('tls-key-file');
  if (certFile === '') throw new TlsConfigError('No tls-cert-file configured!');
  if (keyFile === '') throw new TlsConfigError('No tls-key-file configured!');
  const caFile = cfg.getString('tls-ca-cert-file');
  const caDirName = cfg.getString('tls-ca-cert-dir');
  if ((cfg.getString('tls-auth-clients') !== 'no' || cfg.getBool('tls-cluster') || cfg.getBool('tls-replication')) && caFile === '' && caDirName === '') {
    throw new TlsConfigError('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const { minVersion, maxVersion } = protocolRange(cfg.getString('tls-protocols'));
  const ca: Buffer[] = [];
  if (caFile !== '') ca.push(readOr(caFile, (e) => `Failed to configure CA certificate(s) file/directory: ${e}`));
  if (caDirName !== '') ca.push(...caDir(caDirName));
  const cert = readOr(certFile, (e) => `Failed to load certificate: ${certFile}: ${e}`);
  const key = readOr(keyFile, (e) => `Failed to load private key: ${keyFile}: ${e}`);
  const dhFile = cfg.getString('tls-dh-params-file');
  const dhparam = dhFile === '' ? undefined : readOr(dhFile, (e) => `Failed to load ${dhFile}: ${e}`);
  // TLS 1.3 suites and TLS 1.2 ciphers go to OpenSSL through one list in Node.
  const suites = cfg.getString('tls-ciphersuites');
  const ciphers12 = cfg.getString('tls-ciphers');
  const ciphers = [suites, ciphers12].filter((c) => c !== '').join(':') || undefined;
  const caching = cfg.getBool('tls-session-caching');
  const common = {
    minVersion,
    maxVersion,
    ca: ca.length > 0 ? ca : undefined,
    ciphers,
    honorCipherOrder: cfg.getBool('tls-prefer-server-ciphers'),
    dhparam,
  };
  const contextOptions: tls.SecureContextOptions = {
    ...common,
    cert,
    key,
    passphrase: cfg.getString('tls-key-file-pass') || undefined,
    sessionTimeout: cfg.getNumber('tls-session-cache-timeout'),
    sessionIdContext: 'redis',
    secureOptions: caching ? 0 : cryptoConstants.SSL_OP_NO_TICKET,
  };
  try {
    tls.createSecureContext(contextOptions);
  } catch (e) {
    throw new TlsConfigError(contextError(e as Error, certFile, keyFile, dhFile));
  }
  // Our outgoing links present tls-client-cert-file when set, else the server's certificate.
  const clientCertFile = cfg.getString('tls-client-cert-file');
  const clientKeyFile = cfg.getString('tls-client-key-file');
  let clientCert = cert;
  let clientKey = key;
  let clientPass = cfg.getString('tls-key-file-pass');
  if (clientCertFile !== '' && clientKeyFile !== '') {
    clientCert = readOr(clientCertFile, (e) => `Failed to load certificate: ${clientCertFile}: ${e}`);
    clientKey = readOr(clientKeyFile, (e) => `Failed to load private key: ${clientKeyFile}: ${e}`);
    clientPass = cfg.getString('tls-client-key-file-pass');
  }
  const clientOptions: tls.ConnectionOptions = {
    ...common,
    cert: clientCert,
    key: clientKey,
    passphrase: clientPass || undefined,
    rejectUnauthorized: true,
    // Redis verifies the peer's chain against its CAs, not the host name.
    checkServerIdentity: () => undefined,
  };
  try {
    tls.createSecureContext(clientOptions);
  } catch (e) {
    throw new TlsConfigError(contextError(e as Error, clientCertFile || certFile, clientKeyFile || keyFile, ''));
  }
  return { contextOptions, clientOptions };
}

/** Redis's log line for what OpenSSL refused while building a context. */
function contextError(e: Error, certFile: string, keyFile: string, dhFile: string): string {
  const m = e.message;
  if (/cipher/i.test(m)) return `Failed to configure ciphers: ${m}`;
  if (dhFile !== '' && /dh|DH/.test(m)) return `${dhFile}: failed to read DH params.`;
  if (/key|bad decrypt|passphrase|PEM routines::bad/i.test(m) && !/certificate/i.test(m)) return `Failed to load private key: ${keyFile}: ${m}`;
  return `Failed to load certificate: ${certFile}: ${m}`;
}

/** The server's TLS state: the context in force and the client options of our own links. */
export class TlsState {
  private built: Built | null = null;

  /** True when the configuration asks for TLS (Redis configures it then, and fails to start without it). */
  static wanted(cfg: Config): boolean {
    return cfg.getNumber('tls-port') !== 0 || cfg.getBool('tls-replication') || cfg.getBool('tls-cluster');
  }

  get configured(): boolean {
    return this.built !== null;
  }

  /** (Re)builds the contexts; on failure logs Redis's reason, keeps the old ones and returns false. */
  configure(cfg: Config, log: Logger): boolean {
    try {
      this.built = build(cfg);
      return true;
    } catch (e) {
      if (!(e instanceof TlsConfigError)) throw e;
      log.warning(e.message);
      return false;
    }
  }

  /**
   * Options of a TLS listener: the context, and a certificate requested unless
   * tls-auth-clients is no. The listener never refuses by itself
   * (rejectUnauthorized false): checkClient decides once the handshake is done, so
   * that every refusal is logged.
   */
  listenerOptions(cfg: Config): tls.TlsOptions {
    return { ...this.built!.contextOptions, requestCert: TlsState.requestCert(cfg), rejectUnauthorized: false, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS, noDelay: true };
  }

  /** Whether a new connection is asked for a certificate (tls-auth-clients, read at each accept). */
  static requestCert(cfg: Config): boolean {
    return cfg.getString('tls-auth-clients') !== 'no';
  }

  /** The context options alone (a reload: tls.Server#setSecureContext). */
  contextOptions(): tls.SecureContextOptions {
    return this.built!.contextOptions;
  }

  /**
   * tls-auth-clients on a connection whose handshake completed: null when the client
   * may stay, else the reason Redis (OpenSSL) logs for refusing it.
   */
  static checkClient(cfg: Config, t: tls.TLSSocket): string | null {
    const auth = cfg.getString('tls-auth-clients');
    if (auth === 'no') return null;
    const cert = t.getPeerCertificate();
    const presented = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
    if (!presented) return auth === 'yes' ? 'error:0A0000C7:SSL routines::peer did not return a certificate' : null;
    if (!t.authorized) return 'error:0A000086:SSL routines::certificate verify failed';
    return null;
  }

  /** Options for tls.connect on our outgoing links (replication, sentinel). */
  clientOptions(): tls.ConnectionOptions {
    return this.built!.clientOptions;
  }
}

/** OpenSSL's error as Redis prints it ("error:0A00010B:SSL routines::wrong version number") from Node's error text. */
export function opensslError(e: Error): string {
  const m = /error:([0-9A-F]{8}):([^:]*):[^:]*:([^:\n]*)/.exec(e.message);
  if (m) return `error:${m[1]}:${m[2]}::${m[3].trim()}`;
  return e.message;
}
