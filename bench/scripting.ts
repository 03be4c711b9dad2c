/**
 * Scripting throughput against redis-server (issue 15's targets): redis-benchmark
 * running EVALSHA and FCALL of a one-line script/function and of one making 10
 * redis.calls (INCR of one key), on Cinnabar and redis-server in the same run,
 * pinned as `npm run bench` pins (servers on CPU 1.., this process and
 * redis-benchmark on CPU 0, with taskset). Target: Cinnabar / redis-server >= 0.5
 * for each of the four.
 *
 *   node dist/bench/scripting.js [--rounds 3] [--n 100000] [--clients 50] [--pipeline 1] [--no-pin]
 *
 * Each round runs every test once on each server (the server that goes first
 * alternates); prints the median ops/s per server and test and the median of the
 * per-round ratios.
 */
import { RespClient } from '../src/protocol/resp-client.js';
import { KINDS, REDIS_BENCHMARK, fmtInt, fmtRatio, installCleanupHandlers, log, markdownTable, median, pinCpus, runProcess, startServer, type Server, type ServerKind } from './lib.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const ROUNDS = arg('--rounds', 3);
const N = arg('--n', 100_000);
const CLIENTS = arg('--clients', 50);
const PIPELINE = arg('--pipeline', 1);

const ONE = "return redis.call('ping')";
const TEN = "local v for i = 1, 10 do v = redis.call('incr', KEYS[1]) end return v";
const LIB = [
  '#!lua name=benchlib',
  `redis.register_function('one', function(keys, args) ${ONE} end)`,
  `redis.register_function('ten', function(keys, args) local v for i = 1, 10 do v = redis.call('incr', keys[1]) end return v end)`,
].join('\n');

interface Test {
  name: string;
  /** The command redis-benchmark sends, given the scripts' sha1s. */
  argv(sha: { one: string; ten: string }): string[];
}

const TESTS: Test[] = [
  { name: 'EVALSHA one-line', argv: (s) => ['EVALSHA', s.one, '0'] },
  { name: 'EVALSHA 10 redis.calls', argv: (s) => ['EVALSHA', s.ten, '1', 'bench:ctr'] },
  { name: 'FCALL one-line', argv: () => ['FCALL', 'one', '0'] },
  { name: 'FCALL 10 redis.calls', argv: () => ['FCALL', 'ten', '1', 'bench:ctr'] },
];

/** Loads the scripts and the library; their sha1s. */
async function prepare(srv: Server): Promise<{ one: string; ten: string }> {
  const c = await RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 });
  try {
    const one = await c.call('SCRIPT', 'LOAD', ONE);
    const ten = await c.call('SCRIPT', 'LOAD', TEN);
    const lib = await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
    if (one.t !== 'bulk' || ten.t !== 'bulk' || lib.t !== 'bulk') throw new Error(`loading the scripts on ${srv.kind}: ${JSON.stringify([one, ten, lib])}`);
    return { one: one.v!, ten: ten.v! };
  } finally {
    c.destroy();
  }
}

/** ops/s of one redis-benchmark run of `argv` (its CSV's one data row). */
async function rps(srv: Server, argv: string[]): Promise<number> {
  const args = ['-h', srv.host, '-p', String(srv.port), '-c', String(CLIENTS), '-n', String(N), '-P', String(PIPELINE), '--csv', ...argv];
  const res = await runProcess(REDIS_BENCHMARK, args, 300_000);
  for (const line of res.stdout.split('\n')) {
    const cells = line.trim().split('","').map((x) => x.replace(/^"|"$/g, ''));
    if (cells.length >= 2 && cells[0] !== 'test' && cells[0] !== '' && Number.isFinite(Number(cells[1]))) return Number(cells[1]);
  }
  throw new Error(`redis-benchmark ${args.join(' ')}: ${res.stdout.slice(-300)} ${res.stderr.slice(-300)}`);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const pinned = process.argv.includes('--no-pin') ? null : pinCpus();
  log(pinned ?? 'not pinned');
  const servers = new Map<ServerKind, Server>();
  const shas = new Map<ServerKind, { one: string; ten: string }>();
  try {
    for (const kind of KINDS) {
      const srv = await startServer(kind);
      servers.set(kind, srv);
      shas.set(kind, await prepare(srv));
    }
    const got = new Map<string, number[]>();
    const ratios = new Map<string, number[]>();
    // Warm-up (JIT) on each server.
    for (const kind of KINDS) for (const t of TESTS) await rps(servers.get(kind)!, t.argv(shas.get(kind)!));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of TESTS) {
        const order = round % 2 === 0 ? KINDS : [...KINDS].reverse();
        const r = new Map<ServerKind, number>();
        for (const kind of order) {
          const v = await rps(servers.get(kind)!, t.argv(shas.get(kind)!));
          r.set(kind, v);
          const id = `${kind} ${t.name}`;
          if (!got.has(id)) got.set(id, []);
          got.get(id)!.push(v);
        }
        const ratio = r.get('cinnabar')! / r.get('redis')!;
        if (!ratios.has(t.name)) ratios.set(t.name, []);
        ratios.get(t.name)!.push(ratio);
        log(`round ${round + 1} ${t.name}: cinnabar ${fmtInt(r.get('cinnabar')!)} redis ${fmtInt(r.get('redis')!)} ratio ${fmtRatio(ratio)}`);
      }
    }
    const rows = TESTS.map((t) => [t.name, fmtInt(median(got.get(`cinnabar ${t.name}`)!)), fmtInt(median(got.get(`redis ${t.name}`)!)), fmtRatio(median(ratios.get(t.name)!))]);
    process.stdout.write(
      `\nScripting: redis-benchmark -c ${CLIENTS} -P ${PIPELINE} -n ${N}, ${ROUNDS} rounds${pinned ? `, ${pinned}` : ''}; target >= 0.50x\n\n` +
        markdownTable(['test', 'cinnabar ops/s', 'redis-server ops/s', 'cinnabar / redis'], rows) +
        '\n',
    );
  } finally {
    for (const srv of servers.values()) await srv.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
