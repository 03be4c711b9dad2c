/**
 * Cost of ACL checks, two ways.
 *
 * In process (--micro, always run first): a composed server without listeners,
 * processCommand called in a loop for SET and GET from three fake clients: the
 * default user on a server with no ACL rules (the 'acl' phase is not registered),
 * the default user once a restricted user exists (the phase runs and returns at
 * its first test), and the user with 10 key patterns. ns per command, min and
 * median over rounds, in turns so machine noise falls on all three.
 *
 * Over the network: SET and GET at pipeline 16 as a user holding 10 key
 * patterns (the one matching redis-benchmark's keys last, so every check walks
 * all ten) against the same run as the default user, on the same server, in
 * alternating rounds (the side that goes first alternates). redis-server is
 * measured the same way for reference. Target (issue 17): user / default >= 0.95.
 *
 *   node dist/bench/acl.js [--rounds 5] [--n 200000] [--clients 50]
 *
 * Prints per server and test the median ops/s of each side and the median of the
 * per-round ratios.
 */
import { performance } from 'node:perf_hooks';
import { RespClient } from '../src/protocol/resp-client.js';
import { createServer } from '../src/compose/compose.js';
import { Client } from '../src/server/client.js';
import { Config } from '../src/config/config.js';
import { KINDS, REDIS_BENCHMARK, fmtInt, fmtRatio, installCleanupHandlers, log, markdownTable, median, runProcess, startServer, type Server } from './lib.js';
import { parseCsv } from './throughput.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const ROUNDS = arg('--rounds', 5);
const N = arg('--n', 200_000);
const CLIENTS = arg('--clients', 50);
const PIPELINE = 16;
const TESTS = [
  { t: 'set', csv: 'SET' },
  { t: 'get', csv: 'GET' },
];
const USER = 'bench-acl';
const PASS = 'bench-acl-pass';
/** Nine patterns redis-benchmark's keys ("key:__rand_int__") do not match, then the one they do. */
const PATTERNS = [...Array.from({ length: 9 }, (_, i) => `~app${i}:*`), '~key:*'];

async function rps(srv: Server, test: { t: string; csv: string }, asUser: boolean): Promise<number> {
  const args = ['-h', srv.host, '-p', String(srv.port), '-c', String(CLIENTS), '-n', String(N), '-P', String(PIPELINE), '-r', '100000', '-t', test.t, '--csv'];
  if (asUser) args.push('--user', USER, '-a', PASS);
  const res = await runProcess(REDIS_BENCHMARK, args, 120_000);
  const row = parseCsv(res.stdout, test.csv);
  if (row === null) throw new Error(`redis-benchmark ${args.join(' ')}: ${res.stdout.slice(-300)} ${res.stderr.slice(-300)}`);
  return row.rps;
}

/** The in-process measurement (see the header). */
function micro(): void {
  const n = arg('--micro-n', 200_000);
  const rounds = arg('--micro-rounds', 7);
  const keys = Array.from({ length: 10_000 }, (_, i) => `key:${i}`);
  const value = 'x'.repeat(64);
  const cases: Array<[string, string[][]]> = [
    ['SET', Array.from({ length: n }, (_, i) => ['SET', keys[i % keys.length], value])],
    ['GET', Array.from({ length: n }, (_, i) => ['GET', keys[i % keys.length]])],
  ];
  /** A composed server, its default-user client, and a client of the user with 10 patterns (when `withUser`). */
  const mk = (withUser: boolean): { server: ReturnType<typeof createServer>; def: Client; user: Client } => {
    const cfg = new Config();
    cfg.set('save', ['']);
    const server = createServer(cfg);
    const def = new Client(server, null, server.ks.dbs[0], 1);
    const user = new Client(server, null, server.ks.dbs[0], 2);
    if (withUser) {
      server.processCommand(def, ['ACL', 'SETUSER', USER, 'on', `>${PASS}`, '+@all', '&*', ...PATTERNS]);
      server.processCommand(user, ['AUTH', USER, PASS]);
      if (!user.out.includes('+OK')) throw new Error(`AUTH: ${user.out}`);
    }
    return { server, def, user };
  };
  const runOn = (srv: ReturnType<typeof mk>, c: Client) => (argv: string[]): void => {
    c.out = '';
    srv.server.processCommand(c, argv);
  };
  const plain = mk(false);
  const withUser = mk(true);
  const sides: Array<[string, (argv: string[]) => void]> = [
    ['default, no ACL rules', runOn(plain, plain.def)],
    ['default, phase on', runOn(withUser, withUser.def)],
    ['user, 10 patterns', runOn(withUser, withUser.user)],
  ];
  const times = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of sides) {
      for (const [cmd, list] of cases) {
        const t0 = performance.now();
        for (let i = 0; i < list.length; i++) run(list[i]);
        const ns = ((performance.now() - t0) * 1e6) / list.length;
        const id = `${cmd} ${name}`;
        if (!times.has(id)) times.set(id, []);
        times.get(id)!.push(ns);
      }
    }
  }
  const rows: string[][] = [];
  for (const [cmd] of cases) {
    for (const [name] of sides) {
      const t = times.get(`${cmd} ${name}`)!.sort((x, y) => x - y);
      rows.push([cmd, name, t[0].toFixed(0), t[Math.floor(t.length / 2)].toFixed(0)]);
    }
  }
  process.stdout.write(`\nACL check cost in process: processCommand, ns per command, ${rounds} rounds of ${n}\n\n` + markdownTable(['test', 'client', 'min ns', 'median ns'], rows) + '\n');
}

async function main(): Promise<void> {
  installCleanupHandlers();
  micro();
  if (process.argv.includes('--micro')) return;
  const rows: string[][] = [];
  for (const kind of KINDS) {
    const srv = await startServer(kind);
    try {
      const c = await RespClient.connect({ host: srv.host, port: srv.port, timeoutMs: 5000 });
      const r = await c.call('ACL', 'SETUSER', USER, 'on', `>${PASS}`, '+@all', '&*', ...PATTERNS);
      c.destroy();
      if (r.t !== 'simple') throw new Error(`ACL SETUSER on ${kind}: ${JSON.stringify(r)}`);
      for (const test of TESTS) {
        await rps(srv, test, false); // warm-up (JIT, keyspace)
        const def: number[] = [];
        const usr: number[] = [];
        const ratios: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const first = i % 2 === 0;
          const a = await rps(srv, test, !first);
          const b = await rps(srv, test, first);
          const [d, u] = first ? [a, b] : [b, a];
          def.push(d);
          usr.push(u);
          ratios.push(u / d);
          log(`${kind} ${test.csv} round ${i + 1}: default ${fmtInt(d)} user ${fmtInt(u)} ratio ${fmtRatio(u / d)}`);
        }
        rows.push([kind, test.csv, fmtInt(median(def)), fmtInt(median(usr)), fmtRatio(median(ratios))]);
      }
    } finally {
      await srv.stop();
    }
  }
  process.stdout.write(
    `\nACL check cost: redis-benchmark -c ${CLIENTS} -P ${PIPELINE} -n ${N}, ${ROUNDS} rounds, user with ${PATTERNS.length} key patterns\n\n` +
      markdownTable(['server', 'test', 'default user ops/s', 'user ops/s', 'user / default'], rows) +
      '\n',
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
