// Summaries of V8 .cpuprofile files (node --cpu-prof), for bench/profile.ts.
//
// A profile is a call tree: each node is a function at a call site, with the
// samples taken while it was on top of the stack (hitCount) and, per source line,
// the samples of that node by line (positionTicks, where a callee V8 inlined
// counts on its caller's line).

/** The parts of a V8 .cpuprofile this tool reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
    positionTicks?: Array<{ line: number; ticks: number }>;
  }>;
}

/** Samples outside JS and native work: waiting in epoll, or not attributable. */
const NOT_BUSY = new Set(['(idle)', '(program)']);

function frameName(fn: string, url: string, line?: number): string {
  const file = url === '' ? '' : url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
  const name = fn === '' ? '(anonymous)' : fn;
  return file === '' ? name : `${name} ${file}${line === undefined ? '' : `:${line}`}`;
}

function pct(n: number, total: number): string {
  return `${((100 * n) / total).toFixed(1)}%`;
}

/** Tables of self time by function and by line, and the inclusive share of the command path. */
export function summarize(p: CpuProfile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  let total = 0;
  let busy = 0;
  const selfByFn = new Map<string, number>();
  const selfByLine = new Map<string, number>();
  for (const n of p.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    if (NOT_BUSY.has(n.callFrame.functionName)) continue;
    busy += hits;
    const f = frameName(n.callFrame.functionName, n.callFrame.url, n.callFrame.lineNumber + 1);
    selfByFn.set(f, (selfByFn.get(f) ?? 0) + hits);
    for (const pt of n.positionTicks ?? []) {
      const k = frameName(n.callFrame.functionName, n.callFrame.url, pt.line);
      selfByLine.set(k, (selfByLine.get(k) ?? 0) + pt.ticks);
    }
  }
  // Inclusive time of the first frame of each name on a path (recursion counted once).
  const inclusive = new Map<string, number>();
  const subtree = (id: number): number => {
    const n = byId.get(id)!;
    let t = n.hitCount ?? 0;
    for (const c of n.children ?? []) t += subtree(c);
    return t;
  };
  const watched = new Set(['onData', 'processCommand', 'call', 'flushPending', '(garbage collector)']);
  const walk = (id: number, seen: ReadonlySet<string>): void => {
    const n = byId.get(id)!;
    const f = n.callFrame.functionName;
    let next = seen;
    if (watched.has(f) && !seen.has(f)) {
      inclusive.set(f, (inclusive.get(f) ?? 0) + subtree(id));
      next = new Set(seen).add(f);
    }
    for (const c of n.children ?? []) walk(c, next);
  };
  walk(p.nodes[0]!.id, new Set());

  const rows = (m: Map<string, number>): string[] =>
    [...m]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `| ${pct(v, busy)} | ${k.replace(/\|/g, '\\|')} |`);
  const out: string[] = [];
  out.push(`Samples: ${total}; busy (not idle in epoll, not "(program)"): ${busy} (${pct(busy, total)}). Shares below are of busy samples.`);
  out.push('', '| inclusive | path |', '| --: | --- |');
  for (const f of ['onData', 'processCommand', 'call', 'flushPending', '(garbage collector)']) {
    out.push(`| ${pct(inclusive.get(f) ?? 0, busy)} | ${f} |`);
  }
  out.push('', '| self | function |', '| --: | --- |', ...rows(selfByFn));
  out.push('', '| self | line (inlined callees count on the caller\'s line) |', '| --: | --- |', ...rows(selfByLine));
  return out.join('\n');
}

