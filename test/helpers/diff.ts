/**
 * Differential harness: run the same commands against Cinnabar ("ours") and
 * the reference redis-server ("theirs") and compare the tagged replies.
 *
 *   const pair = await DiffPair.start();          // in before()
 *   await pair.reset();                            // FLUSHALL both, per case
 *   await pair.check([['SET', 'k', 'v'], ['GET', 'k']]);
 *   await pair.check([['SMEMBERS', 's']], { unordered: true });
 *   pair.printDifferences(); await pair.close();   // in after()
 */
import { AssertionError } from 'node:assert';

import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { KNOWN_DIFFERENCES, matchesCommand, type KnownDifference, type Side } from './known-differences.js';
import { startCinnabar, startRedis, type ServerHandle, type StartOptions } from './servers.js';

export type { Side } from './known-differences.js';

export interface CheckOptions {
  /**
   * Compare replies whose order is unspecified:
   * - `true`: the top-level array/set is compared as a multiset; for HGETALL
   *   and CONFIG GET (flat field/value arrays) as a set of pairs; a map as a
   *   set of entries;
   * - `'pairs'`: the top-level flat array is compared as a set of pairs;
   * - `'deep'`: like `true`, applied at every nesting level.
   * RESP3 sets are always compared as multisets.
   */
  unordered?: boolean | 'pairs' | 'deep';
  /** Run the command on both servers but do not compare. */
  ignore?: boolean;
  /** Rewrite each reply before comparison (called for both sides). */
  normalize?: (reply: Reply, cmd: readonly string[], side: Side) => Reply;
  /** 'prefix': two error replies match when their first word (ERR, WRONGTYPE, ...) is equal. */
  errors?: 'exact' | 'prefix';
  /** Known-difference table to consult (default: KNOWN_DIFFERENCES; [] disables). */
  knownDifferences?: readonly KnownDifference[];
}

/** One command in a `check` batch: plain args, or args with per-command options. */
export type CheckItem = readonly string[] | ({ cmd: readonly string[] } & CheckOptions);

export interface RunResult {
  ours: Reply;
  theirs: Reply;
}

export interface AppliedDifference {
  id: string;
  reason: string;
  /** Index of the command within its `check` batch. */
  index: number;
  command: readonly string[];
  ours: string;
  theirs: string;
}

// ---------------------------------------------------------------------------
// Canonical forms
// ---------------------------------------------------------------------------

/** Injective, stable string key of a reply (for equality and sorting). */
export function replyKey(r: Reply): string {
  switch (r.t) {
    case 'simple':
    case 'err':
    case 'double':
    case 'bignum':
      return `${r.t}:${JSON.stringify(r.v)}`;
    case 'bulk':
      return r.v === null ? 'bulk:nil' : `bulk:${JSON.stringify(r.v)}`;
    case 'int':
      return `int:${r.v}`;
    case 'bool':
      return `bool:${r.v}`;
    case 'null':
      return 'null';
    case 'verbatim':
      return `verbatim:${JSON.stringify(r.format)}:${JSON.stringify(r.v)}`;
    case 'array':
      return r.v === null ? 'array:nil' : `array[${r.v.map(replyKey).join(',')}]`;
    case 'set':
      return `set[${r.v.map(replyKey).join(',')}]`;
    case 'push':
      return `push[${r.v.map(replyKey).join(',')}]`;
    case 'map':
      return `map[${r.v.map(([k, v]) => `${replyKey(k)}=>${replyKey(v)}`).join(',')}]`;
  }
}

export function repliesEqual(a: Reply, b: Reply): boolean {
  return replyKey(a) === replyKey(b);
}

const PAIR_COMMANDS = new Set(['HGETALL', 'CONFIG GET']);

function commandName(cmd: readonly string[]): string {
  const c0 = (cmd[0] ?? '').toUpperCase();
  return c0 === 'CONFIG' ? `${c0} ${(cmd[1] ?? '').toUpperCase()}` : c0;
}

function sortByKey(items: Reply[]): Reply[] {
  return items
    .map((r) => ({ r, k: replyKey(r) }))
    .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0))
    .map((x) => x.r);
}

function sortPairs(items: Reply[]): Reply[] {
  const pairs: Array<{ k: string; a: Reply; b: Reply }> = [];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const a = items[i]!;
    const b = items[i + 1]!;
    pairs.push({ k: `${replyKey(a)}=>${replyKey(b)}`, a, b });
  }
  pairs.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  const out: Reply[] = [];
  for (const p of pairs) out.push(p.a, p.b);
  if (items.length % 2 === 1) out.push(items[items.length - 1]!);
  return out;
}

function sortMap(entries: Array<[Reply, Reply]>): Array<[Reply, Reply]> {
  return entries
    .map((e) => ({ e, k: `${replyKey(e[0])}=>${replyKey(e[1])}` }))
    .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0))
    .map((x) => x.e);
}

/** Sort RESP3 sets at every depth (their order is never meaningful). */
function canonicalSets(r: Reply): Reply {
  switch (r.t) {
    case 'set':
      return { t: 'set', v: sortByKey(r.v.map(canonicalSets)) };
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.map(canonicalSets) };
    case 'push':
      return { t: 'push', v: r.v.map(canonicalSets) };
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [canonicalSets(k), canonicalSets(v)] as [Reply, Reply]) };
    default:
      return r;
  }
}

function unorderDeep(r: Reply): Reply {
  switch (r.t) {
    case 'array':
      return r.v === null ? r : { t: 'array', v: sortByKey(r.v.map(unorderDeep)) };
    case 'set':
      return { t: 'set', v: sortByKey(r.v.map(unorderDeep)) };
    case 'push':
      return { t: 'push', v: r.v.map(unorderDeep) };
    case 'map':
      return { t: 'map', v: sortMap(r.v.map(([k, v]) => [unorderDeep(k), unorderDeep(v)] as [Reply, Reply])) };
    default:
      return r;
  }
}

/** The canonical form used for comparison under the given `unordered` mode. */
export function canonicalize(r: Reply, mode: CheckOptions['unordered'], cmd: readonly string[] = []): Reply {
  const s = canonicalSets(r);
  if (mode === undefined || mode === false) return s;
  if (mode === 'deep') return unorderDeep(s);
  if (s.t === 'map') return { t: 'map', v: sortMap(s.v) };
  if (s.t === 'array' && s.v !== null) {
    const pairs = mode === 'pairs' || PAIR_COMMANDS.has(commandName(cmd));
    return { t: 'array', v: pairs ? sortPairs(s.v) : sortByKey(s.v) };
  }
  return s;
}

/** Path of the first difference between two replies ("" when equal at the root type). */
export function firstDifference(a: Reply, b: Reply, path = '$'): string | null {
  if (repliesEqual(a, b)) return null;
  if (a.t !== b.t) return `${path} (type ${a.t} vs ${b.t})`;
  const la = childList(a);
  const lb = childList(b);
  if (la === null || lb === null) return path;
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    const d = firstDifference(la[i]!, lb[i]!, `${path}[${i}]`);
    if (d !== null) return d;
  }
  return `${path} (length ${la.length} vs ${lb.length})`;
}

function childList(r: Reply): Reply[] | null {
  switch (r.t) {
    case 'array':
      return r.v;
    case 'set':
    case 'push':
      return r.v;
    case 'map':
      return r.v.flatMap(([k, v]) => [k, v]);
    default:
      return null;
  }
}

/** Render a command for messages: bare words, quoted when needed, long args cut. */
export function formatCommand(cmd: readonly string[]): string {
  return cmd
    .map((a) => {
      const s = a.length > 80 ? `${a.slice(0, 80)}…(${a.length} bytes)` : a;
      return /^[\x21-\x7e]+$/.test(s) && !s.includes('"') ? s : JSON.stringify(s);
    })
    .join(' ');
}

function errorPrefix(r: Reply): string | null {
  if (r.t !== 'err') return null;
  const sp = r.v.indexOf(' ');
  return sp === -1 ? r.v : r.v.slice(0, sp);
}

// ---------------------------------------------------------------------------
// DiffPair
// ---------------------------------------------------------------------------

export interface DiffPairLabels {
  ours: string;
  theirs: string;
}

export class DiffPair {
  /** Every known difference applied so far (in order). */
  readonly applied: AppliedDifference[] = [];
  private readonly owned: ServerHandle[];

  constructor(
    readonly ours: RespClient,
    readonly theirs: RespClient,
    readonly labels: DiffPairLabels = { ours: 'ours', theirs: 'theirs' },
    owned: ServerHandle[] = [],
  ) {
    this.owned = owned;
  }

  /** Start a fresh Cinnabar (ours) and redis-server (theirs) and connect to both. */
  static async start(opts: { ours?: StartOptions; theirs?: StartOptions } = {}): Promise<DiffPair> {
    const [o, t] = await Promise.allSettled([startCinnabar(opts.ours), startRedis(opts.theirs)]);
    if (o.status === 'rejected' || t.status === 'rejected') {
      if (o.status === 'fulfilled') await o.value.stop();
      if (t.status === 'fulfilled') await t.value.stop();
      const reasons = [o, t]
        .filter((x): x is PromiseRejectedResult => x.status === 'rejected')
        .map((x) => (x.reason instanceof Error ? x.reason.message : String(x.reason)));
      throw new Error(`DiffPair.start failed:\n${reasons.join('\n')}`);
    }
    return DiffPair.fromServers(o.value, t.value, true);
  }

  /**
   * Pair two already running servers. When `own` is true, `close()` also
   * stops them.
   */
  static async fromServers(ours: ServerHandle, theirs: ServerHandle, own = false): Promise<DiffPair> {
    const [a, b] = await Promise.all([ours.client(), theirs.client()]);
    return new DiffPair(
      a,
      b,
      { ours: `${ours.kind} :${ours.port}`, theirs: `${theirs.kind} :${theirs.port}` },
      own ? [ours, theirs] : [],
    );
  }

  /** Pair any two servers by port (e.g. two redis-servers for a self-test). */
  static async connect(
    oursPort: number,
    theirsPort: number,
    opts: { host?: string; labels?: DiffPairLabels } = {},
  ): Promise<DiffPair> {
    const host = opts.host ?? '127.0.0.1';
    const [a, b] = await Promise.all([
      RespClient.connect({ host, port: oursPort, timeoutMs: 5000 }),
      RespClient.connect({ host, port: theirsPort, timeoutMs: 5000 }),
    ]);
    return new DiffPair(a, b, opts.labels ?? { ours: `ours :${oursPort}`, theirs: `theirs :${theirsPort}` });
  }

  /** Run one command on both servers (concurrently). */
  async run(cmd: readonly string[]): Promise<RunResult> {
    const [o, t] = await Promise.allSettled([this.ours.call(...cmd), this.theirs.call(...cmd)]);
    if (o.status === 'fulfilled' && t.status === 'fulfilled') return { ours: o.value, theirs: t.value };
    const why = (side: Side, r: PromiseSettledResult<Reply>): string[] =>
      r.status === 'rejected'
        ? [`  ${side} (${this.labels[side]}): ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`]
        : [];
    throw new Error([`no reply to ${formatCommand(cmd)}:`, ...why('ours', o), ...why('theirs', t)].join('\n'));
  }

  /** FLUSHALL on both servers (call between cases). */
  async reset(): Promise<void> {
    const { ours, theirs } = await this.run(['FLUSHALL']);
    for (const [side, r] of [
      ['ours', ours],
      ['theirs', theirs],
    ] as const) {
      if (r.t !== 'simple' || r.v !== 'OK') {
        throw new Error(`FLUSHALL on ${this.labels[side]} answered ${formatReply(r)}`);
      }
    }
  }

  /**
   * Run each command on both servers in order and assert that the replies
   * are equal (after normalisation, unordered canonicalisation and known
   * differences). Throws an AssertionError naming the command index and both
   * replies. Resolves with the raw replies.
   */
  async check(cmds: readonly CheckItem[], opts: CheckOptions = {}): Promise<RunResult[]> {
    const results: RunResult[] = [];
    for (let i = 0; i < cmds.length; i++) {
      const item = cmds[i]!;
      const [cmd, o] = isPlainCmd(item) ? [item, opts] : [item.cmd, { ...opts, ...item }];
      const res = await this.run(cmd);
      results.push(res);
      if (o.ignore) continue;
      this.compare(i, cmd, res, o, cmds);
    }
    return results;
  }

  /** `check` with `errors: 'prefix'`: error replies match on their first word. */
  checkErrorPrefix(cmds: readonly CheckItem[], opts: CheckOptions = {}): Promise<RunResult[]> {
    return this.check(cmds, { ...opts, errors: 'prefix' });
  }

  /** Human-readable list of the known differences applied so far. */
  differenceReport(): string {
    if (this.applied.length === 0) return 'known differences applied: 0';
    const byId = new Map<string, { reason: string; count: number; example: AppliedDifference }>();
    for (const a of this.applied) {
      const e = byId.get(a.id);
      if (e) e.count++;
      else byId.set(a.id, { reason: a.reason, count: 1, example: a });
    }
    const lines = [`known differences applied: ${this.applied.length}`];
    for (const [id, e] of byId) {
      lines.push(
        `  ${id} x${e.count}: ${e.reason}`,
        `    e.g. ${formatCommand(e.example.command)} -> ours ${e.example.ours} / theirs ${e.example.theirs}`,
      );
    }
    return lines.join('\n');
  }

  /** Print `differenceReport()` (as TAP-friendly comment lines). */
  printDifferences(): void {
    console.log(this.differenceReport().replace(/^/gm, '# '));
  }

  /** Close both connections; stop the servers if this pair started them. */
  async close(): Promise<void> {
    await Promise.all([this.ours.close(), this.theirs.close()]);
    await Promise.all(this.owned.map((s) => s.stop()));
  }

  // -- internals ------------------------------------------------------------

  private compare(index: number, cmd: readonly string[], res: RunResult, o: CheckOptions, batch: readonly CheckItem[]): void {
    const norm = (r: Reply, side: Side): Reply => (o.normalize ? o.normalize(r, cmd, side) : r);
    const ours = norm(res.ours, 'ours');
    const theirs = norm(res.theirs, 'theirs');
    const co = canonicalize(ours, o.unordered, cmd);
    const ct = canonicalize(theirs, o.unordered, cmd);
    if (repliesEqual(co, ct)) return;
    if (o.errors === 'prefix') {
      const po = errorPrefix(ours);
      if (po !== null && po === errorPrefix(theirs)) return;
    }
    for (const kd of o.knownDifferences ?? KNOWN_DIFFERENCES) {
      if (!matchesCommand(kd, cmd)) continue;
      if (kd.when && !kd.when(cmd, ours, theirs)) continue;
      if (kd.transform) {
        const to = canonicalize(kd.transform(ours, cmd, 'ours'), o.unordered, cmd);
        const tt = canonicalize(kd.transform(theirs, cmd, 'theirs'), o.unordered, cmd);
        if (!repliesEqual(to, tt)) continue;
      } else if (kd.oursOk && !kd.oursOk(ours, cmd)) {
        continue;
      }
      this.applied.push({
        id: kd.id,
        reason: kd.reason,
        index,
        command: cmd,
        ours: formatReply(ours, 300),
        theirs: formatReply(theirs, 300),
      });
      return;
    }
    // No single entry explains the difference: several together may (e.g. COMMAND
    // DOCS, where 7.2 both renamed summaries and added display_text). Apply every
    // matching transform entry in turn; record each when the result is equal.
    const combined: KnownDifference[] = [];
    let to = ours;
    let tt = theirs;
    for (const kd of o.knownDifferences ?? KNOWN_DIFFERENCES) {
      if (!kd.transform || !matchesCommand(kd, cmd)) continue;
      if (kd.when && !kd.when(cmd, ours, theirs)) continue;
      const no = kd.transform(to, cmd, 'ours');
      const nt = kd.transform(tt, cmd, 'theirs');
      if (repliesEqual(no, to) && repliesEqual(nt, tt)) continue; // changes nothing here
      to = no;
      tt = nt;
      combined.push(kd);
    }
    if (combined.length > 1 && repliesEqual(canonicalize(to, o.unordered, cmd), canonicalize(tt, o.unordered, cmd))) {
      for (const kd of combined) {
        this.applied.push({ id: kd.id, reason: kd.reason, index, command: cmd, ours: formatReply(ours, 300), theirs: formatReply(theirs, 300) });
      }
      return;
    }
    const where = firstDifference(co, ct);
    const before = batch
      .slice(Math.max(0, index - 5), index)
      .map((it, j) => `#${Math.max(0, index - 5) + j} ${formatCommand(isPlainCmd(it) ? it : it.cmd)}`);
    const message = [
      `reply mismatch at command #${index} of ${batch.length}: ${formatCommand(cmd)}`,
      `  ours   (${this.labels.ours}): ${formatReply(ours)}`,
      `  theirs (${this.labels.theirs}): ${formatReply(theirs)}`,
      ...(o.unordered ? [`  (compared unordered: ${String(o.unordered)})`] : []),
      ...(where !== null ? [`  first difference at ${where}`] : []),
      ...(before.length > 0 ? [`  preceding commands: ${before.join('; ')}`] : []),
    ].join('\n');
    throw new AssertionError({
      message,
      actual: formatReply(co),
      expected: formatReply(ct),
      operator: 'strictEqual',
    });
  }
}

function isPlainCmd(item: CheckItem): item is readonly string[] {
  return Array.isArray(item);
}
