/**
 * Microbenchmark of the request parser in process: RequestParser fed the wire bytes
 * of redis-benchmark's SET and GET (pipeline 16 per read, as one 16-command chunk),
 * an MSET of 10 keys, and an inline PING, then drained with next().
 *
 *   node dist/bench/parser-micro.js [--n 200000] [--rounds 7] [--baseline DIST]
 *
 * --baseline DIST also loads DIST/src/protocol/parser.js (another build's compiled
 * tree, e.g. the commit before a change) and runs it in turns with this build, in the
 * same process, so machine noise falls on both. Prints per case the minimum and
 * median ns per command over the rounds.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as parserMod from '../src/protocol/parser.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const N = Number(arg('--n') ?? 200_000);
const ROUNDS = Number(arg('--rounds') ?? 7);
const BASELINE = arg('--baseline');
const PIPELINE = 16;

function mbulk(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

const CASES: Array<[string, (i: number) => string]> = [
  ['SET', (i) => mbulk(['SET', `key:${String(i).padStart(12, '0')}`, 'xxx'])],
  ['GET', (i) => mbulk(['GET', `key:${String(i).padStart(12, '0')}`])],
  ['MSET10', (i) => mbulk(['MSET', ...Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? `key:${i}:${k}` : 'xxx'))])],
  ['PING_INLINE', () => 'PING\r\n'],
];

async function main(): Promise<void> {
  const builds: Array<{ name: string; mod: typeof parserMod }> = [{ name: 'this', mod: parserMod }];
  if (BASELINE) {
    const mod = (await import(pathToFileURL(path.resolve(BASELINE, 'src/protocol/parser.js')).href)) as typeof parserMod;
    builds.push({ name: 'baseline', mod });
  }
  // One chunk per PIPELINE commands, built once: the loop measures the parser only.
  const chunks = CASES.map(([, f]) => {
    const out: Buffer[] = [];
    for (let i = 0; i < N; i += PIPELINE) {
      let s = '';
      for (let k = i; k < i + PIPELINE; k++) s += f(k % 10_000);
      out.push(Buffer.from(s, 'latin1'));
    }
    return out;
  });
  const times = new Map<string, number[]>();
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of builds) {
      CASES.forEach(([name], k) => {
        const authenticated = true;
        const p = new b.mod.RequestParser({ protoMaxBulkLen: 512 * 1024 * 1024, authRequired: () => !authenticated });
        const list = chunks[k];
        const t0 = performance.now();
        for (let i = 0; i < list.length; i++) {
          p.feed(list[i], true);
          let cmd: string[] | null;
          while ((cmd = p.next()) !== null) sink += cmd.length;
          p.releaseInput();
        }
        const ns = ((performance.now() - t0) * 1e6) / (list.length * PIPELINE);
        const id = `${b.name} ${name}`;
        if (!times.has(id)) times.set(id, []);
        times.get(id)!.push(ns);
      });
    }
  }
  console.log(`parser: ns per command, min / median of ${ROUNDS} rounds of ${N} (pipeline ${PIPELINE} per chunk; ${sink} args)`);
  for (const [name] of CASES) {
    const cols = builds.map((b) => {
      const t = times.get(`${b.name} ${name}`)!.sort((x, y) => x - y);
      return `${b.name} ${t[0].toFixed(1)} / ${t[Math.floor(t.length / 2)].toFixed(1)}`;
    });
    console.log(`  ${name.padEnd(11)} ${cols.join('   ')}`);
  }
}

void main();
