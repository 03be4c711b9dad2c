/**
 * Test certificates, made with openssl into a temp dir the first time a test asks
 * (never committed, removed when the test process exits): a CA; a server
 * certificate and a second one (for reload tests); a client certificate, an expired
 * one, and one from another CA; an encrypted copy of the server key; a CA directory
 * in OpenSSL's hashed layout (for tls-ca-cert-dir).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  caDir: string;
  serverCert: string;
  serverKey: string;
  /** The server key encrypted with `keyPass`. */
  serverKeyEnc: string;
  keyPass: string;
  server2Cert: string;
  server2Key: string;
  clientCert: string;
  clientKey: string;
  expiredCert: string;
  /** Signed by another CA (same key as the client). */
  foreignCert: string;
}

let made: TestCerts | null = null;

function openssl(dir: string, ...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 }).toString();
}

/** Generates the certificates once per test process (EC P-256 keys: a fraction of a second of openssl). */
export function testCerts(): TestCerts {
  if (made) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-tls-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const ca = (name: string, cn: string): void => {
    openssl(dir, 'req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3', '-subj', `/CN=${cn}`);
  };
  const leaf = (name: string, cn: string, caName: string, days: string, keyName = name): void => {
    if (!fs.existsSync(path.join(dir, `${keyName}.key`))) openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${keyName}.key`);
    openssl(dir, 'req', '-new', '-key', `${keyName}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', days, '-extfile', ext);
  };
  ca('ca', 'Cinnabar Test CA');
  ca('other-ca', 'Another CA');
  leaf('server', 'server-one', 'ca', '3');
  leaf('server2', 'server-two', 'ca', '3');
  leaf('client', 'client', 'ca', '3');
  leaf('expired', 'client', 'ca', '-1', 'client');
  leaf('foreign', 'client', 'other-ca', '3', 'client');
  const keyPass = 'key-secret';
  openssl(dir, 'pkey', '-in', 'server.key', '-aes256', '-passout', `pass:${keyPass}`, '-out', 'server-enc.key');
  const caDir = path.join(dir, 'cadir');
  fs.mkdirSync(caDir);
  const hash = openssl(dir, 'x509', '-hash', '-noout', '-in', 'ca.crt').trim();
  fs.copyFileSync(path.join(dir, 'ca.crt'), path.join(caDir, `${hash}.0`));
  const p = (n: string): string => path.join(dir, n);
  made = {
    dir,
    ca: p('ca.crt'),
    caDir,
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    serverKeyEnc: p('server-enc.key'),
    keyPass,
    server2Cert: p('server2.crt'),
    server2Key: p('server2.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    expiredCert: p('expired.crt'),
    foreignCert: p('foreign.crt'),
  };
  return made;
}

/** The server-side TLS arguments of a redis-server or Cinnabar command line. */
export function tlsServerArgs(c: TestCerts, tlsPort: number, extra: string[] = []): string[] {
  return ['--tls-port', String(tlsPort), '--tls-cert-file', c.serverCert, '--tls-key-file', c.serverKey, '--tls-ca-cert-file', c.ca, ...extra];
}

/** redis-cli's TLS arguments with the client certificate (or `cert` instead). */
export function cliTlsArgs(c: TestCerts, cert: string | null = c.clientCert): string[] {
  return ['--tls', '--cacert', c.ca, ...(cert !== null ? ['--cert', cert, '--key', c.clientKey] : [])];
}
