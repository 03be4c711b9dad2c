// The two latency records Redis keeps, as data structures:
//
//  - LatencyHistogram: one command's call durations, in nanoseconds, in the layout
//    of the HDR histogram Redis uses (hdr_histogram with lowest 1, highest 1e9 and
//    2 significant figures): 128-value sub-buckets whose width doubles from one
//    bucket to the next, 3072 counters in all (a Uint32Array, 12 KB, made on the
//    command's first call). Recording is a clz32, a shift and an increment, so the
//    hot path does not notice it. The percentiles and the log-scale buckets it
//    reports are the values hdr_histogram reports for the same samples (highest
//    equivalent values), so INFO latencystats and LATENCY HISTOGRAM print what
//    redis-server prints.
//
//  - LatencyEvents: latency-monitor's time series: per event name ("command",
//    "fast-command", "expire-cycle", ...), the last 160 samples of (unix second,
//    milliseconds) with one sample per second (the worst), and the all-time max.

/** LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE: recorded values are clamped to [1 ns, 1 s]. */
const MIN_NS = 1;
const MAX_NS = 1_000_000_000;
/** Sub-bucket half count magnitude: 2 significant figures need 256 sub-buckets. */
const HALF_MAG = 7;
const HALF_COUNT = 1 << HALF_MAG;
/** Buckets needed to reach 1e9 from 256 by doublings (256 * 2^22 >= 1e9), plus one. */
const BUCKETS = 23;
/** Counters: (buckets + 1) * half count. */
export const HISTOGRAM_COUNTERS = (BUCKETS + 1) * HALF_COUNT;

/** Counter index of a value (hdr_histogram's counts_index_for with unit magnitude 0). */
function indexOf(v: number): number {
  const bucket = 32 - Math.clz32(v | 255) - (HALF_MAG + 1);
  const sub = v >>> bucket;
  return ((bucket + 1) << HALF_MAG) + (sub - HALF_COUNT);
}

/** Lowest value of counter `i`'s range. */
function valueAt(i: number): number {
  let bucket = (i >> HALF_MAG) - 1;
  let sub = (i & (HALF_COUNT - 1)) + HALF_COUNT;
  if (bucket < 0) {
    sub -= HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Width of the range of values that share `v`'s counter. */
function rangeSize(v: number): number {
  const bucket = 32 - Math.clz32(v | 255) - (HALF_MAG + 1);
  return 2 ** bucket;
}

/** hdr_histogram's highest_equivalent_value. */
export function highestEquivalent(v: number): number {
  const size = rangeSize(v);
  return Math.floor(v / size) * size + size - 1;
}

export class LatencyHistogram {
  private counts: Uint32Array | null = null;
  total = 0;

  /** Records one duration in nanoseconds (clamped as Redis clamps it). */
  record(ns: number): void {
    const v = ns < MIN_NS ? MIN_NS : ns > MAX_NS ? MAX_NS : Math.floor(ns);
    let c = this.counts;
    if (c === null) c = this.counts = new Uint32Array(HISTOGRAM_COUNTERS);
    c[indexOf(v)]++;
    this.total++;
  }

  /** hdr_value_at_percentile: the highest equivalent value below which `p` percent of the samples lie. */
  valueAtPercentile(p: number): number {
    const c = this.counts;
    if (c === null || this.total === 0) return 0;
    const want = Math.max(1, Math.floor((Math.min(p, 100) / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= want) {
        const v = valueAt(i);
        return p === 0 ? v : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * The cumulative distribution Redis's LATENCY HISTOGRAM prints: hdr's log
   * iterator from 1024 ns doubling, one [microseconds, cumulative count] pair per
   * level where the count grew.
   */
  cdf(): Array<[number, number]> {
    const c = this.counts;
    const out: Array<[number, number]> = [];
    if (c === null || this.total === 0) return out;
    let level = 1024;
    let seen = 0;
    let prev = 0;
    let i = 0;
    // Every value is at most 1e9 < 2^30: the loop ends by level 2^30 at the latest.
    for (;;) {
      const upTo = indexOf(level);
      for (; i <= upTo && i < c.length; i++) seen += c[i];
      if (seen > prev) out.push([Math.floor(highestEquivalent(level) / 1000), seen]);
      prev = seen;
      if (seen >= this.total || i >= c.length) break;
      level *= 2;
    }
    return out;
  }
}

/** LATENCY_TS_LEN: samples kept per event. */
export const LATENCY_SAMPLES_MAX = 160;

export interface LatencySeries {
  /** Unix seconds of each sample (0: empty). */
  times: Int32Array;
  /** Milliseconds of each sample. */
  ms: Uint32Array;
  /** Next slot to write. */
  idx: number;
  /** The all-time high. */
  max: number;
}

export class LatencyEvents {
  /** Event name -> series, in the order events first happened. */
  readonly series = new Map<string, LatencySeries>();

  /** latencyAddSample: one sample per second per event, the worst of that second. */
  add(event: string, ms: number, nowSec: number): void {
    let ts = this.series.get(event);
    if (ts === undefined) {
      ts = { times: new Int32Array(LATENCY_SAMPLES_MAX), ms: new Uint32Array(LATENCY_SAMPLES_MAX), idx: 0, max: 0 };
      this.series.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = (ts.idx + LATENCY_SAMPLES_MAX - 1) % LATENCY_SAMPLES_MAX;
    if (ts.times[prev] === nowSec) {
      if (ms > ts.ms[prev]) ts.ms[prev] = ms;
      return;
    }
    ts.times[ts.idx] = nowSec;
    ts.ms[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % LATENCY_SAMPLES_MAX;
  }

  /** The samples of a series, oldest first, as [unix seconds, ms]. */
  static samples(ts: LatencySeries): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let j = 0; j < LATENCY_SAMPLES_MAX; j++) {
      const i = (ts.idx + j) % LATENCY_SAMPLES_MAX;
      if (ts.times[i] !== 0) out.push([ts.times[i], ts.ms[i]]);
    }
    return out;
  }

  /** LATENCY RESET: drops one event (or all, `event` undefined); returns how many. */
  reset(event?: string): number {
    if (event === undefined) {
      const n = this.series.size;
      this.series.clear();
      return n;
    }
    return this.series.delete(event) ? 1 : 0;
  }
}
