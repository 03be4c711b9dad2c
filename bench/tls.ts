/**
 * TLS throughput: SET and GET at pipeline 1 (and 16) over TLS, Cinnabar against
 * redis-server in the same run, with `redis-benchmark --tls` and a client
 * certificate (tls-auth-clients yes, the default). The same runs over the
 * plaintext port are reported next to them, so the cost of TLS on each server
 * shows too. Certificates are made by openssl into a temp dir (test/helpers/tls.ts).
 *
 *   node dist/bench/tls.js [--rounds 3] [--n 100000] [--clients 50]
 *
 * Each round runs every (test, pipeline, transport) cell on both servers back to
 * back, the first server alternating between rounds; the ratio reported is the
 * median of the per-round Cinnabar/Redis ratios. Target (issue 17): SET/GET at
 * pipeline 1 over TLS >= 0.8x redis-server over TLS.
 */
import { testCerts } from '../test/helpers/tls.js';
import { REDIS_BENCHMARK, freePort, installCleanupHandlers, log, median, readCpuSeconds, runProcess, startServer, type Server, type ServerKind } from './lib.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const ROUNDS = Number(arg('--rounds') ?? 3);
const N = Number(arg('--n') ?? 100_000);
const CLIENTS = Number(arg('--clients') ?? 50);

interface Cell {
  test: 'set' | 'get';
  pipeline: number;
  tls: boolean;
}

const CELLS: Cell[] = [];
for (const tls of [true, false]) for (const pipeline of [1, 16]) for (const test of ['set', 'get'] as const) CELLS.push({ test, pipeline, tls });

async function main(): Promise<void> {
  installCleanupHandlers();
  const certs = testCerts();
  const servers = new Map<ServerKind, { srv: Server; tlsPort: number }>();
  for (const kind of ['redis', 'cinnabar'] as const) {
    const tlsPort = await freePort();
    const srv = await startServer(kind, 20000, ['--tls-port', String(tlsPort), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey, '--tls-ca-cert-file', certs.ca]);
    servers.set(kind, { srv, tlsPort });
  }
  const rates = new Map<string, number[]>();
  /** Server CPU µs per request (user + system, from /proc): steadier than req/s on a loaded machine. */
  const cpu = new Map<string, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order: ServerKind[] = round % 2 === 0 ? ['redis', 'cinnabar'] : ['cinnabar', 'redis'];
      for (const cell of CELLS) {
        for (const kind of order) {
          const { srv, tlsPort } = servers.get(kind)!;
          const args = ['-h', '127.0.0.1', '-p', String(cell.tls ? tlsPort : srv.port), '-c', String(CLIENTS), '-n', String(N), '-P', String(cell.pipeline), '-r', '100000', '-t', cell.test, '--csv'];
          if (cell.tls) args.push('--tls', '--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey);
          const cpu0 = readCpuSeconds(srv.pid);
          const r = await runProcess(REDIS_BENCHMARK, args, 300_000);
          const cpu1 = readCpuSeconds(srv.pid);
          const m = /^"(SET|GET)","([0-9.]+)"/m.exec(r.stdout);
          if (!m) throw new Error(`redis-benchmark on ${kind}: ${r.stdout}${r.stderr}`);
          const id = `${cell.test} P${cell.pipeline} ${cell.tls ? 'tls' : 'tcp'} ${kind}`;
          if (!rates.has(id)) rates.set(id, []);
          rates.get(id)!.push(Number(m[2]));
          if (cpu0 !== null && cpu1 !== null) {
            if (!cpu.has(id)) cpu.set(id, []);
            cpu.get(id)!.push(((cpu1 - cpu0) * 1e6) / N);
          }
          log(`round ${round + 1}: ${id} ${m[2]} req/s`);
        }
      }
    }
  } finally {
    for (const { srv } of servers.values()) await srv.stop();
  }
  console.log(`\nredis-benchmark -c ${CLIENTS} -n ${N} -r 100000, ${ROUNDS} rounds (median req/s; ratio = median of per-round Cinnabar/Redis)`);
  console.log('| test | pipeline | transport | redis-server req/s | Cinnabar req/s | ratio | redis-server CPU µs/req | Cinnabar CPU µs/req |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const cell of CELLS) {
    const base = `${cell.test} P${cell.pipeline} ${cell.tls ? 'tls' : 'tcp'}`;
    const r = rates.get(`${base} redis`)!;
    const c = rates.get(`${base} cinnabar`)!;
    const ratio = median(r.map((x, i) => c[i] / x));
    const cr = median(cpu.get(`${base} redis`) ?? []);
    const cc = median(cpu.get(`${base} cinnabar`) ?? []);
    console.log(`| ${cell.test.toUpperCase()} | ${cell.pipeline} | ${cell.tls ? 'TLS' : 'TCP'} | ${median(r)?.toFixed(0)} | ${median(c)?.toFixed(0)} | ${ratio?.toFixed(2)} | ${cr?.toFixed(1) ?? '?'} | ${cc?.toFixed(1) ?? '?'} |`);
  }
}

void main();
