// LATENCY DOCTOR / LATEST / HISTORY / RESET / GRAPH / HISTOGRAM / HELP (and LOLWUT, at the end), over the
// latency monitor's events (ServerContext.latency, fed by latencySample when
// latency-monitor-threshold is set: "command", "fast-command", "expire-cycle",
// "aof-fsync-always") and the per-command histograms of latency-tracking
// (types/latency.ts). Replies, the graph and the doctor's report are laid out as
// redis-server's latency.c and sparkline.c lay them out.

import { readFileSync } from 'node:fs';
import { cmd, findSubcommand, type CommandSpec } from './table.js';
import type { Client, ServerContext } from './context.js';
import { LatencyEvents, type LatencyHistogram, type LatencySeries } from '../types/latency.js';
import { addHelp } from './client-command.js';
import { VERSION as REDIS_VERSION } from '../util/version.js';

// ---- the graph (Redis's sparkline.c) ---------------------------------------------------

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;
const FILL = '_o#';
const LABEL_MARGIN_TOP = 1;

interface Sample {
  value: number;
  label: string;
}

/** One range of at most GRAPH_COLS samples: the filled sparkline, then each label written downwards. */
function renderRange(samples: Sample[], min: number, max: number, offset: number, len: number): string {
  let out = '';
  let relmax = max - min;
  if (relmax === 0) relmax = 1;
  const steps = FILL.length * GRAPH_ROWS;
  const hasLabels = samples.some((s) => s.label !== '');
  for (let row = 0; ; row++) {
    let loop = false;
    const chars = new Array<string>(len).fill(' ');
    for (let j = 0; j < len; j++) {
      const s = samples[j + offset];
      // As sparkline.c: (int)(relval*steps) / relmax, truncated again into an int.
      let step = Math.trunc(Math.trunc((s.value - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < GRAPH_ROWS) {
        const idx = step - (GRAPH_ROWS - row - 1) * FILL.length;
        loop = true;
        if (idx >= 0 && idx < FILL.length) chars[j] = FILL[idx];
        else if (idx >= FILL.length) chars[j] = '|';
      } else {
        if (hasLabels && row - GRAPH_ROWS < LABEL_MARGIN_TOP) {
          loop = true;
          break;
        }
        const at = row - GRAPH_ROWS - LABEL_MARGIN_TOP;
        if (s.label.length > at) {
          loop = true;
          chars[j] = s.label[at];
        }
      }
    }
    if (!loop) break;
    out += chars.join('') + '\n';
  }
  return out;
}

/** "<n>s", "<n>m", "<n>h" or "<n>d" ago, as the graph labels a sample. */
function ago(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / 86400)}d`;
}

function graph(event: string, ts: LatencySeries): string {
  const now = Math.floor(Date.now() / 1000);
  const samples: Sample[] = LatencyEvents.samples(ts).map(([t, ms]) => ({ value: ms, label: ago(now - t) }));
  let min = 0;
  let max = 0;
  samples.forEach((s, i) => {
    if (i === 0) min = max = s.value;
    else {
      if (s.value > max) max = s.value;
      if (s.value < min) min = s.value;
    }
  });
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n${'-'.repeat(GRAPH_COLS)}\n`;
  // The sequence's own min/max, as sparklineSequenceAddSample keeps them.
  for (let j = 0; j < samples.length; j += GRAPH_COLS) {
    if (j !== 0) out += '\n';
    out += renderRange(samples, min, max, j, Math.min(GRAPH_COLS, samples.length - j));
  }
  return out;
}

// ---- the doctor (latency.c's createLatencyReport) ---------------------------------------

interface EventStats {
  samples: number;
  avg: number;
  mad: number;
  period: number;
}

function analyze(ts: LatencySeries): EventStats {
  const all = LatencyEvents.samples(ts);
  let sum = 0;
  let oldest = 0;
  for (const [t, ms] of all) {
    sum += ms;
    if (oldest === 0 || t < oldest) oldest = t;
  }
  const n = all.length;
  const avg = n > 0 ? Math.floor(sum / n) : 0;
  let period = n > 0 ? Math.floor(Date.now() / 1000) - oldest : 0;
  if (n > 0 && period === 0) period = 1;
  let dev = 0;
  for (const [, ms] of all) dev += Math.abs(avg - ms);
  return { samples: n, avg, mad: n > 0 ? Math.floor(dev / n) : 0, period };
}

/** Bytes of anonymous huge pages this process uses (Redis's THPGetAnonHugePagesSize), 0 when unknown. */
function anonHugePages(): number {
  try {
    let kb = 0;
    for (const m of readFileSync('/proc/self/smaps', 'latin1').matchAll(/^AnonHugePages:\s+(\d+) kB$/gm)) kb += Number(m[1]);
    return kb * 1024;
  } catch {
    return 0;
  }
}

const ADVICE: Record<string, string> = {
  slowlogInspect: '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n',
  scheduler:
    '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
    '  1) Lower the system load.\n' +
    '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
    '  3) Check if you have a "noisy neighbour" problem.\n' +
    "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
    '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
  relaxFsync: "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n",
  hz: "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
  largeObjects:
    '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
  massEviction:
    "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n",
  thp: "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n",
};

function doctor(s: ServerContext): string {
  const events = s.latency.series;
  const threshold = s.config.getNumber('latency-monitor-threshold');
  if (events.size === 0 && threshold === 0) {
    return 'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
  }
  let report = '';
  let advices = 0;
  const want = new Set<string>();
  let slowlogEnabled = false;
  let slowlogTuning = false;
  let n = 0;
  const slower = s.config.getNumber('slowlog-log-slower-than');
  for (const [event, ts] of events) {
    n++;
    if (n === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const st = analyze(ts);
    report += `${n}. ${event}: ${st.samples} latency spikes (average ${st.avg}ms, mean deviation ${st.mad}ms, period ${(st.period / st.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    if (event === 'command') {
      if (slower < 0) {
        slowlogEnabled = true;
        advices++;
      } else if (Math.trunc(slower / 1000) > threshold) {
        slowlogTuning = true;
        advices++;
      }
      want.add('slowlogInspect').add('largeObjects');
      advices += 2;
    } else if (event === 'fast-command') {
      want.add('scheduler');
      advices++;
    } else if (event === 'aof-fsync-always') {
      want.add('relaxFsync');
      advices++;
    } else if (event === 'expire-cycle') {
      want.add('hz').add('largeObjects');
      advices += 2;
    } else if (event === 'eviction-del') {
      want.add('largeObjects');
      advices++;
    } else if (event === 'eviction-cycle') {
      want.add('massEviction');
      advices++;
    }
    report += '\n';
  }
  if (anonHugePages() > 0) {
    want.add('thp');
    advices++;
  }
  if (n === 0 && advices === 0) {
    return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += '\nI have a few advices for you:\n\n';
  if (slowlogEnabled) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (slowlogTuning) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'.\n`;
  }
  if (want.has('slowlogInspect')) report += ADVICE.slowlogInspect;
  if (want.has('scheduler')) report += ADVICE.scheduler;
  if (want.has('relaxFsync') && s.config.getString('appendfsync') === 'always') report += ADVICE.relaxFsync;
  if (want.has('hz') && s.config.getNumber('hz') < 100) report += ADVICE.hz;
  if (want.has('largeObjects')) report += ADVICE.largeObjects;
  if (want.has('massEviction')) report += ADVICE.massEviction;
  if (want.has('thp')) report += ADVICE.thp;
  return report;
}

// ---- HISTOGRAM --------------------------------------------------------------------------

function addCdf(c: Client, h: LatencyHistogram): void {
  c.addMapLen(2);
  c.addBulk('calls');
  c.addInt(h.total);
  c.addBulk('histogram_usec');
  const cdf = h.cdf();
  c.addMapLen(cdf.length);
  for (const [us, n] of cdf) {
    c.addInt(us);
    c.addInt(n);
  }
}

function histogram(c: Client, argv: string[]): void {
  const stats = c.server.cmdStats;
  const out: Array<[string, LatencyHistogram]> = [];
  if (argv.length === 2) {
    for (const [name, st] of stats) if (st.hist !== undefined && st.hist.total > 0) out.push([name, st.hist]);
  } else {
    for (let j = 2; j < argv.length; j++) {
      // lookupCommandBySds: "name" or "container|sub"; an unknown command is skipped.
      const [top, subName] = argv[j].split('|', 2);
      const parent = c.server.commands.lookup(top);
      const spec = parent !== undefined && subName !== undefined ? findSubcommand(parent, subName) : parent;
      if (spec === undefined || (subName !== undefined && argv[j].split('|').length > 2)) continue;
      const full = subName !== undefined ? `${parent!.name}|${spec.name}` : spec.name;
      const own = stats.get(full)?.hist;
      if (own !== undefined && own.total > 0) out.push([full, own]);
      for (const sub of spec.subcommands ?? []) {
        const name = `${full}|${sub.name}`;
        const h = stats.get(name)?.hist;
        if (h !== undefined && h.total > 0) out.push([name, h]);
      }
    }
  }
  c.addMapLen(out.length);
  for (const [name, h] of out) {
    c.addBulk(name);
    addCdf(c, h);
  }
}

/** "p50=1.003,p99=2.007,p99.9=3.011" for INFO latencystats: the percentiles of latency-tracking-info-percentiles in microseconds. */
export function latencyPercentiles(h: LatencyHistogram, percentiles: readonly string[]): string {
  return percentiles
    .map((p) => {
      // As Redis: the percentile printed with %f, trailing zeros (and a bare '.') trimmed.
      const name = Number(p).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
      return `p${name}=${(h.valueAtPercentile(Number(p)) / 1000).toFixed(3)}`;
    })
    .join(',');
}

// ---- the command ------------------------------------------------------------------------

const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

function latest(c: Client): void {
  const events = c.server.latency.series;
  c.addArrayLen(events.size);
  for (const [event, ts] of events) {
    const last = (ts.idx + ts.times.length - 1) % ts.times.length;
    c.addArrayLen(4);
    c.addBulk(event);
    c.addInt(ts.times[last]);
    c.addInt(ts.ms[last]);
    c.addInt(ts.max);
  }
}

function history(c: Client, argv: string[]): void {
  const ts = c.server.latency.series.get(argv[2]);
  const all = ts === undefined ? [] : LatencyEvents.samples(ts);
  c.addArrayLen(all.length);
  for (const [t, ms] of all) {
    c.addArrayLen(2);
    c.addInt(t);
    c.addInt(ms);
  }
}

function latencyGraph(c: Client, argv: string[]): void {
  const ts = c.server.latency.series.get(argv[2]);
  if (ts === undefined) {
    c.addError(`ERR No samples available for event '${argv[2]}'`);
    return;
  }
  c.addVerbatim(graph(argv[2], ts));
}

function reset(c: Client, argv: string[]): void {
  const l = c.server.latency;
  if (argv.length === 2) {
    c.addInt(l.reset());
    return;
  }
  let n = 0;
  for (let j = 2; j < argv.length; j++) n += l.reset(argv[j]);
  c.addInt(n);
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
const TIPS = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];

export const COMMANDS: CommandSpec[] = [
  cmd('latency', -2, [], [0, 0, 0], 'server', ['slow'], undefined, {
    since: '2.8.13',
    summary: 'A container for latency diagnostics commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('doctor', 2, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, (c) => c.addVerbatim(doctor(c.server)), { since: '2.8.13', summary: 'Returns a human-readable latency analysis report.', complexity: 'O(1)', tips: TIPS }),
      cmd('graph', 3, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, latencyGraph, { since: '2.8.13', summary: 'Returns a latency graph for an event.', complexity: 'O(1)', tips: TIPS }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'server', ['slow'], (c) => addHelp(c, LATENCY_HELP), { since: '2.8.13', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('histogram', -2, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, histogram, { since: '7.0.0', summary: 'Returns the cumulative distribution of latencies of a subset or all commands.', complexity: 'O(N) where N is the number of commands with latency information being retrieved.', tips: TIPS }),
      cmd('history', 3, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, history, { since: '2.8.13', summary: 'Returns timestamp-latency samples for an event.', complexity: 'O(1)', tips: TIPS }),
      cmd('latest', 2, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, latest, { since: '2.8.13', summary: 'Returns the latest latency samples for all events.', complexity: 'O(1)', tips: TIPS }),
      cmd('reset', -2, [...ADMIN], [0, 0, 0], 'server', ADMIN_ACL, reset, { since: '2.8.13', summary: 'Resets the latency data for one or more events.', complexity: 'O(1)', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] }),
    ],
  }),
];

// ---- LOLWUT -----------------------------------------------------------------------------
//
// As Redis 7.x: LOLWUT [VERSION v] answers "Redis ver. <version>\n" (lolwut.c's
// unstable branch, which 7.x versions take); VERSION 5 and 6 select the generative
// art of Redis 5 and 6, which Cinnabar does not draw: a clear error instead.

function lolwut(c: Client, argv: string[]): void {
  let ver = 0;
  if (argv.length >= 3 && argv[1].toLowerCase() === 'version') {
    const v = /^-?\d+$/.test(argv[2]) ? Number(argv[2]) : NaN;
    if (!Number.isSafeInteger(v)) {
      c.addError('ERR value is not an integer or out of range');
      return;
    }
    ver = v >>> 0;
  }
  if (ver === 5 || ver === 6) {
    c.addError(`ERR LOLWUT VERSION ${ver} (the Redis ${ver} generative art) is not implemented`);
    return;
  }
  c.addVerbatim(`Redis ver. ${REDIS_VERSION}\n`);
}

COMMANDS.push(cmd('lolwut', -1, ['readonly', 'fast'], [0, 0, 0], 'server', ['read', 'fast'], lolwut, { since: '5.0.0', summary: 'Displays computer art and the Redis version', complexity: undefined }));
