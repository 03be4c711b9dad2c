/**
 * Microbenchmark of scripting in process: a composed server without listeners, one
 * fake client, EVALSHA of a one-line script and of one making 10 redis.calls (INCR
 * of one key) called through the dispatcher in a loop. It measures the scripting
 * path itself (the VM, the boundary, the conversions) without the network, so a
 * change there can be judged on a loaded machine, where bench/scripting.ts's ratio
 * to redis-server moves with the load.
 *
 *   node dist/bench/scripting-micro.js [--n 100000] [--rounds 5] [--baseline DIST]
 *
 * --baseline DIST loads DIST/src/compose/compose.js, server/client.js and
 * config/config.js (another build's compiled tree inside this checkout, so that its
 * node_modules resolve) and runs it in turns with this build in the same process.
 * Prints per case the minimum and median ns per EVALSHA over the rounds.
 */
import { performance } from 'node:perf_hooks';
import { arg, loadBuilds, type Build } from './micro-builds.js';

const N = Number(arg('--n') ?? 100_000);
const ROUNDS = Number(arg('--rounds') ?? 5);
const BASELINE = arg('--baseline');

const SCRIPTS: Array<[string, string]> = [
  ['one-line', "return redis.call('ping')"],
  ['10 redis.calls', "local v for i = 1, 10 do v = redis.call('incr', KEYS[1]) end return v"],
  ['10 GET of a 100-byte value', "local v for i = 1, 10 do v = redis.call('get', KEYS[2]) end return v"],
];

/** Runs `argv` and returns the reply text. */
type Run = (argv: string[]) => string;

function runner(b: Build): Run {
  const cfg = new b.config.Config();
  cfg.set('save', ['']);
  const s = b.compose.createServer(cfg);
  const c = new b.client.Client(s, null, s.ks.dbs[0], 1);
  return (argv) => {
    c.out = '';
    s.processCommand(c, argv);
    return c.out;
  };
}

async function main(): Promise<void> {
  const builds = await loadBuilds(BASELINE);
  const times = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of builds) {
      const run = runner(b);
      run(['SET', 'v', 'x'.repeat(100)]);
      for (const [name, body] of SCRIPTS) {
        const sha = /^\$40\r\n([0-9a-f]{40})\r\n$/.exec(run(['SCRIPT', 'LOAD', body]))?.[1];
        if (sha === undefined) throw new Error(`SCRIPT LOAD of ${name} failed`);
        const argv = ['EVALSHA', sha, '2', 'ctr', 'v'];
        const check = run(argv);
        if (check.startsWith('-')) throw new Error(`${name}: ${check}`);
        const t0 = performance.now();
        for (let i = 0; i < N; i++) run(argv.slice());
        const ns = ((performance.now() - t0) * 1e6) / N;
        const id = `${b.name} ${name}`;
        if (!times.has(id)) times.set(id, []);
        times.get(id)!.push(ns);
      }
    }
  }
  console.log(`ns per EVALSHA, min / median of ${ROUNDS} rounds of ${N}`);
  for (const [name] of SCRIPTS) {
    const cols = builds.map((b) => {
      const t = times.get(`${b.name} ${name}`)!.sort((x, y) => x - y);
      return `${b.name} ${t[0].toFixed(0)} / ${t[Math.floor(t.length / 2)].toFixed(0)}`;
    });
    console.log(`  ${name.padEnd(28)} ${cols.join('   ')}`);
  }
}

void main();
