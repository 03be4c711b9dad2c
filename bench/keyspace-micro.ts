/**
 * Microbenchmark of the keyspace hot path: N set / get / delete on a Database,
 * with the cluster slot index off and on, and on a bare KeyTable (a control:
 * its code does not depend on the index).
 *
 *   node --expose-gc dist/bench/keyspace-micro.js [--n 1000000] [--rounds 7] [--baseline DIST]
 *
 * --baseline DIST also loads DIST/src/keyspace/keyspace.js (another build's
 * compiled tree, e.g. a copy of dist/ made before a change) and runs it as a
 * third variant. Variants run in turns within each round, in the same process,
 * so machine noise falls on all of them alike. Lookups and deletes use fresh
 * copies of the key strings, as the protocol parser makes them. Prints, per
 * phase, the minimum and median over the rounds of the wall time per operation
 * (on a shared machine the minimum is the least disturbed), and the median of
 * the process's CPU time (user + system, GC helper threads included).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Keyspace } from '../src/keyspace/keyspace.js';
import { KeyTable } from '../src/keyspace/key-table.js';
import { ObjType, RObj } from '../src/types/object.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const N = Number(arg('--n') ?? 1_000_000);
const ROUNDS = Number(arg('--rounds') ?? 7);
const BASELINE = arg('--baseline');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Db {
  set(key: string, obj: unknown): void;
  lookup(key: string): unknown;
  delete(key: string): boolean;
  readonly size: number;
}
interface Variant {
  name: string;
  /** A fresh database, and the objects to store in it. */
  make(): Db;
  objs: unknown[];
}

const keys: string[] = [];
for (let i = 0; i < N; i++) keys.push('key:' + String(i).padStart(10, '0'));
const fresh = (): string[] => keys.map((k) => Buffer.from(k, 'latin1').toString('latin1'));
const getKeys = fresh();
const delKeys = fresh();
const hooks = { expired: () => {}, added: () => {} };

const variants: Variant[] = [];
if (BASELINE !== undefined) {
  const root = path.resolve(BASELINE);
  const ksMod = (await import(pathToFileURL(path.join(root, 'src/keyspace/keyspace.js')).href)) as {
    Keyspace: new (n: number, h: typeof hooks) => { dbs: Db[] };
  };
  const objMod = (await import(pathToFileURL(path.join(root, 'src/types/object.js')).href)) as {
    RObj: new (t: number, v: string, lru: number) => unknown;
  };
  variants.push({ name: 'baseline', make: () => new ksMod.Keyspace(16, hooks).dbs[0], objs: keys.map((_, i) => new objMod.RObj(ObjType.String, 'v' + i, 0)) });
}
const objs = keys.map((_, i) => new RObj(ObjType.String, 'v' + i, 0));
variants.push({ name: 'index off', make: () => new Keyspace(16, hooks).dbs[0], objs });
variants.push({ name: 'index on', make: () => new Keyspace(16, hooks, { slotIndex: true }).dbs[0], objs });

const results = new Map<string, { cpu: number[]; wall: number[] }>();
function timed(label: string, fn: () => void): void {
  gc();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / N;
  const c = process.cpuUsage(c0);
  const cpu = ((c.user + c.system) * 1000) / N;
  let r = results.get(label);
  if (!r) results.set(label, (r = { cpu: [], wall: [] }));
  r.cpu.push(cpu);
  r.wall.push(wall);
}

type Loop = (db: unknown, keys: string[], arg: unknown[], n: number) => number;
/**
 * The timed loops, compiled afresh for each variant (new Function) so that each
 * has call sites of its own: shared loops would see several Database classes and
 * go polymorphic, which would measure the mix rather than each variant.
 */
function loops(): { set: Loop; get: Loop; del: Loop } {
  return {
    set: new Function('db', 'keys', 'o', 'n', 'for (let i = 0; i < n; i++) db.set(keys[i], o[i]); return 0;') as Loop,
    get: new Function('db', 'keys', '_', 'n', 'let s = 0; for (let i = 0; i < n; i++) if (db.lookup(keys[i]) !== undefined) s++; return s;') as Loop,
    del: new Function('db', 'keys', '_', 'n', 'let s = 0; for (let i = 0; i < n; i++) if (db.delete(keys[i])) s++; return s;') as Loop,
  };
}
const dbLoops = variants.map(() => loops());
const tableLoops = {
  set: new Function('t', 'keys', 'o', 'n', 'for (let i = 0; i < n; i++) t.set(keys[i], o[i]); return 0;') as Loop,
  get: new Function('t', 'keys', '_', 'n', 'let s = 0; for (let i = 0; i < n; i++) if (t.get(keys[i]) !== undefined) s++; return s;') as Loop,
  del: new Function('t', 'keys', '_', 'n', 'let s = 0; for (let i = 0; i < n; i++) if (t.delete(keys[i])) s++; return s;') as Loop,
};

let sink = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (let vi = 0; vi < variants.length; vi++) {
    const v = variants[vi];
    const L = dbLoops[vi];
    const db = v.make();
    timed(`db.set     ${v.name}`, () => void L.set(db, keys, v.objs, N));
    timed(`db.get     ${v.name}`, () => void (sink += L.get(db, getKeys, [], N)));
    timed(`db.delete  ${v.name}`, () => void (sink += L.del(db, delKeys, [], N)));
    if (db.size !== 0 || sink !== 2 * N) throw new Error('bench bookkeeping is off');
    sink = 0;
  }
  const t = new KeyTable<RObj>();
  timed('table.set  (control)', () => void tableLoops.set(t, keys, objs, N));
  timed('table.get  (control)', () => void (sink += tableLoops.get(t, getKeys, [], N)));
  timed('table.del  (control)', () => void (sink += tableLoops.del(t, delKeys, [], N)));
  if (t.size !== 0 || sink !== 2 * N) throw new Error('bench bookkeeping is off');
  sink = 0;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`N=${N} rounds=${ROUNDS}; ns per operation`);
const labels = [...results.keys()].sort();
for (const l of labels) {
  const r = results.get(l)!;
  const f = (x: number): string => x.toFixed(0).padStart(5);
  console.log(`${l.padEnd(22)} wall min ${f(Math.min(...r.wall))} median ${f(median(r.wall))}   cpu median ${f(median(r.cpu))}   (wall per round: ${r.wall.map((x) => x.toFixed(0)).join(' ')})`);
}
