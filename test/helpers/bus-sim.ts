/**
 * A deterministic, seeded network for cluster bus logic: N endpoints exchange encoded bus
 * frames (src/cluster/bus-codec.ts) over links with seeded loss, delay (hence reordering),
 * duplication, corruption and partitions, on a virtual clock. Nothing here reads the wall
 * clock or Math.random: one seed gives one run, and the trace of a run (every send,
 * drop and delivery) is the same on every replay (CINNABAR_SEED, see random.ts).
 *
 * The interface is small so that node logic plugs in unchanged later:
 *
 *   const sim = new BusSim({ seed, endpoints: 5, faults: { lossRate: 0.1, delayMinMs: 1, delayMaxMs: 40 } },
 *     (ctx) => new MyNode(ctx));             // ctx: { id, send(to, frame), now(), rng, peers }
 *   sim.runFor(10_000);                      // ticks every endpoint every tickMs, delivers frames in time order
 *   sim.partition([[0, 1], [2, 3, 4]]); sim.runFor(5000); sim.heal();
 *
 * An endpoint is `{ onFrame(from, frame), tick(nowMs) }`; it sends with `ctx.send`. Frames
 * are checked by decodeBusMessage on send when `validateOnSend` (default true): an endpoint
 * that encodes garbage fails the run at once rather than at the receiver. Events at the same
 * virtual time run in the order they were scheduled; ticks run in endpoint order.
 */
import { decodeBusMessage } from '../../src/cluster/bus-codec.js';
import { Rng } from './random.js';

export interface SimEndpoint {
  onFrame(from: number, frame: Buffer): void;
  tick(nowMs: number): void;
}

export interface SimContext {
  readonly id: number;
  /** Every endpoint id but this one. */
  readonly peers: readonly number[];
  /** Queue `frame` to `to` (subject to the network's faults). */
  send(to: number, frame: Buffer): void;
  /** The virtual time, ms. */
  now(): number;
  /** This endpoint's own generator (forked from the run's seed). */
  readonly rng: Rng;
}

export interface SimFaults {
  /** Probability that a frame is lost (default 0). */
  lossRate?: number;
  /** Probability that a frame is delivered twice (default 0). */
  dupRate?: number;
  /** Probability that one byte of a delivered frame is flipped (default 0): receivers must survive it. */
  corruptRate?: number;
  /** Delay of each frame, uniform in [min, max] ms (default 1..1): distinct delays reorder frames. */
  delayMinMs?: number;
  delayMaxMs?: number;
}

export interface SimOptions {
  seed: number;
  endpoints: number;
  faults?: SimFaults;
  /** Tick period of every endpoint (default 100 ms). */
  tickMs?: number;
  validateOnSend?: boolean;
  /** Trace lines kept (the hash covers all of them; default 100,000). */
  traceMax?: number;
}

/** Frames queued at once before the run is failed (a runaway endpoint, not a network). */
export const SIM_IN_FLIGHT_MAX = 200_000;
/** Events one runFor may process before it is failed (a livelock). */
export const SIM_EVENTS_PER_RUN_MAX = 5_000_000;

export interface SimStats {
  sent: number;
  delivered: number;
  lost: number;
  partitioned: number;
  duplicated: number;
  corrupted: number;
  toCrashed: number;
}

interface Event {
  at: number;
  seq: number;
  kind: 'deliver' | 'tick';
  from: number;
  to: number;
  frame: Buffer | null;
  sentAt: number;
}

/** A binary min-heap of events by (at, seq). */
class EventQueue {
  private h: Event[] = [];
  get size(): number {
    return this.h.length;
  }
  push(e: Event): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  peek(): Event | undefined {
    return this.h[0];
  }
  pop(): Event | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** FNV-1a over a string, continuing from `h`. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** FNV-1a of a frame's bytes (its identity in the trace). */
function frameHash(b: Buffer): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export class BusSim {
  readonly seed: number;
  readonly endpoints: SimEndpoint[] = [];
  readonly stats: SimStats = { sent: 0, delivered: 0, lost: 0, partitioned: 0, duplicated: 0, corrupted: 0, toCrashed: 0 };
  /** The last `traceMax` events as text lines: `t=<ms> <event> <from>-><to> <len>B <hash>`. */
  readonly trace: string[] = [];
  private hash = 0x811c9dc5;
  private readonly rng: Rng;
  private readonly faults: Required<SimFaults>;
  private readonly tickMs: number;
  private readonly validate: boolean;
  private readonly traceMax: number;
  private readonly queue = new EventQueue();
  private seq = 0;
  private nowMs = 0;
  private inFlight = 0;
  /** Partition group of each endpoint; frames cross only within a group. null: no partition. */
  private group: number[] | null = null;
  private readonly crashed = new Set<number>();

  constructor(opts: SimOptions, factory: (ctx: SimContext) => SimEndpoint) {
    this.seed = opts.seed >>> 0;
    this.rng = new Rng(this.seed);
    const f = opts.faults ?? {};
    this.faults = {
      lossRate: f.lossRate ?? 0, dupRate: f.dupRate ?? 0, corruptRate: f.corruptRate ?? 0,
      delayMinMs: f.delayMinMs ?? 1, delayMaxMs: f.delayMaxMs ?? f.delayMinMs ?? 1,
    };
    if (this.faults.delayMinMs < 0 || this.faults.delayMaxMs < this.faults.delayMinMs) throw new RangeError('bad delay bounds');
    this.tickMs = opts.tickMs ?? 100;
    this.validate = opts.validateOnSend ?? true;
    this.traceMax = opts.traceMax ?? 100_000;
    const ids = Array.from({ length: opts.endpoints }, (_, i) => i);
    for (const id of ids) {
      const erng = this.rng.fork();
      const ctx: SimContext = {
        id,
        peers: ids.filter((p) => p !== id),
        send: (to, frame) => this.send(id, to, frame),
        now: () => this.nowMs,
        rng: erng,
      };
      this.endpoints.push(factory(ctx));
    }
    // First ticks staggered by a seeded offset, as real nodes do not start in lockstep.
    for (const id of ids) this.schedule({ at: this.rng.int(this.tickMs), kind: 'tick', from: id, to: id, frame: null, sentAt: 0 });
  }

  get now(): number {
    return this.nowMs;
  }

  /** The hash of every trace event so far (covers events beyond traceMax too). */
  get traceHash(): string {
    return this.hash.toString(16).padStart(8, '0');
  }

  /** Splits the network: frames between endpoints of different groups are dropped. Unlisted endpoints form their own group. */
  partition(groups: number[][]): void {
    const g = this.endpoints.map((_, i) => -1 - i);
    groups.forEach((members, gi) => { for (const m of members) g[m] = gi; });
    this.group = g;
    this.record(`partition ${JSON.stringify(groups)}`);
  }

  heal(): void {
    this.group = null;
    this.record('heal');
  }

  /** A crashed endpoint neither ticks nor receives (frames to it are dropped) until restarted. */
  crash(id: number): void {
    this.crashed.add(id);
    this.record(`crash ${id}`);
  }

  restart(id: number): void {
    this.crashed.delete(id);
    this.record(`restart ${id}`);
  }

  isCrashed(id: number): boolean {
    return this.crashed.has(id);
  }

  private connected(a: number, b: number): boolean {
    return this.group === null || this.group[a] === this.group[b];
  }

  private record(line: string): void {
    const l = `t=${this.nowMs} ${line}`;
    this.hash = fnv(this.hash, l + '\n');
    this.trace.push(l);
    if (this.trace.length > this.traceMax) this.trace.splice(0, this.trace.length - this.traceMax);
  }

  private schedule(e: Omit<Event, 'seq'>): void {
    this.queue.push({ ...e, seq: this.seq++ });
  }

  private send(from: number, to: number, frame: Buffer): void {
    if (to === from || to < 0 || to >= this.endpoints.length || !Number.isInteger(to)) throw new RangeError(`endpoint ${from} sent to ${to}`);
    if (this.validate) decodeBusMessage(frame);
    this.stats.sent++;
    const tag = `${from}->${to} ${frame.length}B ${frameHash(frame)}`;
    if (this.rng.bool(this.faults.lossRate)) {
      this.stats.lost++;
      this.record(`lost ${tag}`);
      return;
    }
    const copies = this.rng.bool(this.faults.dupRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let c = 0; c < copies; c++) {
      if (++this.inFlight > SIM_IN_FLIGHT_MAX) throw new Error(`more than ${SIM_IN_FLIGHT_MAX} frames in flight (seed ${this.seed})`);
      const delay = this.rng.range(this.faults.delayMinMs, this.faults.delayMaxMs);
      // Copied: the sender may reuse its buffer; a corruption hits this copy only.
      const f = Buffer.from(frame);
      if (this.rng.bool(this.faults.corruptRate)) {
        f[this.rng.int(f.length)]! ^= 1 << this.rng.int(8);
        this.stats.corrupted++;
      }
      this.schedule({ at: this.nowMs + delay, kind: 'deliver', from, to, frame: f, sentAt: this.nowMs });
      this.record(`send ${tag} +${delay}ms${c ? ' dup' : ''}`);
    }
  }

  /** Advances the virtual clock by `ms`, processing every event due meanwhile. */
  runFor(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  runUntil(endMs: number): void {
    let events = 0;
    for (;;) {
      const e = this.queue.peek();
      if (e === undefined || e.at > endMs) break;
      this.queue.pop();
      if (++events > SIM_EVENTS_PER_RUN_MAX) throw new Error(`more than ${SIM_EVENTS_PER_RUN_MAX} events in one run (seed ${this.seed})`);
      this.nowMs = e.at;
      if (e.kind === 'tick') {
        if (!this.crashed.has(e.from)) this.endpoints[e.from]!.tick(this.nowMs);
        this.schedule({ at: this.nowMs + this.tickMs, kind: 'tick', from: e.from, to: e.from, frame: null, sentAt: 0 });
        continue;
      }
      this.inFlight--;
      const frame = e.frame!;
      const tag = `${e.from}->${e.to} ${frame.length}B ${frameHash(frame)}`;
      // A partition or crash at delivery time drops what was in flight across it.
      if (!this.connected(e.from, e.to)) {
        this.stats.partitioned++;
        this.record(`cut ${tag}`);
        continue;
      }
      if (this.crashed.has(e.to)) {
        this.stats.toCrashed++;
        this.record(`to-crashed ${tag}`);
        continue;
      }
      this.stats.delivered++;
      this.record(`deliver ${tag} sent t=${e.sentAt}`);
      this.endpoints[e.to]!.onFrame(e.from, frame);
    }
    this.nowMs = endMs;
  }

  /** Runs until `pred()` holds (checked after each tick period) or `maxMs` passes; returns whether it held. */
  runUntilTrue(pred: () => boolean, maxMs: number): boolean {
    const end = this.nowMs + maxMs;
    while (this.nowMs < end) {
      if (pred()) return true;
      this.runUntil(Math.min(end, this.nowMs + this.tickMs));
    }
    return pred();
  }
}
