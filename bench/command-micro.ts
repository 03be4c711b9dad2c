/**
 * Microbenchmark of command execution in process: a composed server without
 * listeners, one fake client, and the dispatcher (processCommand) called in a loop
 * for SET / GET / SADD / HSET / INCR, with maxmemory off and on (a limit far above
 * the data, so the eviction check runs and never evicts).
 *
 *   node dist/bench/command-micro.js [--n 200000] [--rounds 5] [--baseline DIST]
 *
 * --baseline DIST also loads DIST/src/compose/compose.js and DIST/src/server/client.js
 * (another build's compiled tree, e.g. the commit before a change) and runs it in
 * turns with this build, in the same process, so machine noise falls on both.
 * Prints per command the minimum and median ns per call over the rounds.
 */
import { performance } from 'node:perf_hooks';
import { arg, loadBuilds, type Build } from './micro-builds.js';

const N = Number(arg('--n') ?? 200_000);
const ROUNDS = Number(arg('--rounds') ?? 5);
const BASELINE = arg('--baseline');

interface Runner {
  run(argv: string[]): void;
}

function runner(b: Build, maxmemory: boolean): Runner {
  const cfg = new b.config.Config();
  cfg.set('save', ['']);
  const s = b.compose.createServer(cfg);
  const c = new b.client.Client(s, null, s.ks.dbs[0], 1);
  const r: Runner = {
    run(argv: string[]): void {
      c.out = '';
      s.processCommand(c, argv);
    },
  };
  if (maxmemory) {
    r.run(['CONFIG', 'SET', 'maxmemory', String(64 * 1024 * 1024 * 1024)]);
    r.run(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
  }
  return r;
}

const keys = Array.from({ length: 10_000 }, (_, i) => `key:${i}`);
const value = 'x'.repeat(64);
const CASES: Array<[string, (i: number) => string[]]> = [
  ['SET', (i) => ['SET', keys[i % keys.length].slice(), value]],
  ['GET', (i) => ['GET', keys[i % keys.length].slice()]],
  ['INCR', (i) => ['INCR', `n:${i % 1000}`]],
  ['SADD', (i) => ['SADD', `s:${i % 100}`, `m${i % 5000}`]],
  ['HSET', (i) => ['HSET', `h:${i % 100}`, `f${i % 5000}`, value]],
];

async function main(): Promise<void> {
  const builds = await loadBuilds(BASELINE);
  // Pre-built argument arrays: the loop measures the dispatcher, not the array building.
  const argvs = CASES.map(([, f]) => Array.from({ length: N }, (_, i) => f(i)));
  for (const maxmemory of [false, true]) {
    const times = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const b of builds) {
        const r = runner(b, maxmemory);
        CASES.forEach(([name], k) => {
          const list = argvs[k];
          const t0 = performance.now();
          for (let i = 0; i < N; i++) r.run(list[i]);
          const ns = ((performance.now() - t0) * 1e6) / N;
          const id = `${b.name} ${name}`;
          if (!times.has(id)) times.set(id, []);
          times.get(id)!.push(ns);
        });
      }
    }
    console.log(`maxmemory ${maxmemory ? 'on (64 GB, allkeys-lru)' : 'off'}: ns per command, min / median of ${ROUNDS} rounds of ${N}`);
    for (const [name] of CASES) {
      const cols = builds.map((b) => {
        const t = times.get(`${b.name} ${name}`)!.sort((x, y) => x - y);
        return `${b.name} ${t[0].toFixed(0)} / ${t[Math.floor(t.length / 2)].toFixed(0)}`;
      });
      console.log(`  ${name.padEnd(5)} ${cols.join('   ')}`);
    }
  }
}

void main();
