/**
 * In-process cost of the cluster routing phase on the hot path: GET and SET of a key
 * in a slot the node serves, through Router.check (the phase alone), 1M calls per
 * round, best and median of the rounds in ns per call.
 *
 *   node dist/bench/route-micro.js [--rounds 7] [--baseline DIST]
 *
 * --baseline DIST loads DIST/src/cluster/routing.js (another build's compiled tree)
 * and runs its Router as a second variant in turns with this one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Config } from '../src/config/config.js';
import { createServer } from '../src/compose/compose.js';
import { Client } from '../src/server/client.js';
import { clusterOf } from '../src/cluster/cluster.js';
import { Router } from '../src/cluster/routing.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ROUNDS = Number(arg('--rounds') ?? 7);
const N = 1_000_000;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-micro-'));
  const cfg = new Config();
  cfg.set('cluster-enabled', ['yes']);
  cfg.set('dir', [dir]);
  const server = createServer(cfg);
  const cl = clusterOf(server)!;
  for (let s = 0; s < 16384; s++) cl.st.addSlot(cl.st.myself, s);
  cl.st.state = 'ok';
  const c = new Client(server, null, server.ks.dbs[0], 1);
  const get = server.commands.lookup('get')!;
  const set = server.commands.lookup('set')!;
  const variants: Array<[string, { check(c: Client, spec: unknown, argv: string[]): string | null }]> = [['this build', new Router(server, cl)]];
  const base = arg('--baseline');
  if (base !== undefined) {
    const mod = (await import(pathToFileURL(path.resolve(base, 'src/cluster/routing.js')).href)) as { Router: new (s: unknown, c: unknown) => { check(c: Client, spec: unknown, argv: string[]): string | null } };
    variants.push(['baseline', new mod.Router(server, cl)]);
  }
  const times = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  const gArgv = ['GET', 'user:1000'];
  const sArgv = ['SET', 'user:1000', 'v'];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, router] of r % 2 === 0 ? variants : [...variants].reverse()) {
      let bad = 0;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        if (router.check(c, get, gArgv) !== null) bad++;
        if (router.check(c, set, sArgv) !== null) bad++;
      }
      const ns = ((performance.now() - t0) * 1e6) / (2 * N);
      if (bad !== 0) throw new Error(`${name}: ${bad} commands not routed here`);
      times.get(name)!.push(ns);
    }
  }
  for (const [name, ts] of times) {
    const sorted = [...ts].sort((a, b) => a - b);
    console.log(`${name}: best ${sorted[0]!.toFixed(1)} ns, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ns per routed command`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().then(() => process.exit(0));
