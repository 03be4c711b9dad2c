// The .cpuprofile summary of bench/profile.ts: self time by function and by line,
// inclusive time of the command path, idle and "(program)" samples left out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, type CpuProfile } from '../../bench/cpuprofile.js';

function frame(functionName: string, url = '', lineNumber = 0): CpuProfile['nodes'][number]['callFrame'] {
  return { functionName, url, lineNumber };
}

// (root) -> onData -> processCommand -> call -> handler (lines 10 and 12)
//        -> (idle)
//        -> (program)
//        -> flushPending -> writeLatin1String
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 6, 7, 8] },
    { id: 2, callFrame: frame('onData', 'file:///repo/dist/src/server/server.js', 356), hitCount: 1, children: [3] },
    { id: 3, callFrame: frame('processCommand', 'file:///repo/dist/src/server/server.js', 548), hitCount: 1, children: [4] },
    { id: 4, callFrame: frame('call', 'file:///repo/dist/src/server/server.js', 689), hitCount: 2, children: [5] },
    {
      id: 5,
      callFrame: frame('zaddGeneric', 'file:///repo/dist/src/commands/zsets.js', 340),
      hitCount: 4,
      positionTicks: [
        { line: 350, ticks: 3 },
        { line: 352, ticks: 1 },
      ],
    },
    { id: 6, callFrame: frame('(idle)'), hitCount: 90 },
    { id: 7, callFrame: frame('(program)'), hitCount: 10 },
    { id: 8, callFrame: frame('flushPending', 'file:///repo/dist/src/server/server.js', 444), hitCount: 0, children: [9] },
    { id: 9, callFrame: frame('writeLatin1String'), hitCount: 2 },
  ],
};

test('cpuprofile summary: shares of busy samples, inclusive path, self by function and by line', () => {
  const out = summarize(profile, 10);
  // 110 samples, 10 busy (idle and "(program)" left out).
  assert.match(out, /^Samples: 110; busy .*: 10 \(9\.1%\)/);
  assert.match(out, /\| 80\.0% \| onData \|/); // 1 + 1 + 2 + 4
  assert.match(out, /\| 70\.0% \| processCommand \|/);
  assert.match(out, /\| 60\.0% \| call \|/);
  assert.match(out, /\| 20\.0% \| flushPending \|/);
  assert.match(out, /\| 0\.0% \| \(garbage collector\) \|/);
  assert.match(out, /\| 40\.0% \| zaddGeneric commands\/zsets\.js:341 \|/);
  assert.match(out, /\| 30\.0% \| zaddGeneric commands\/zsets\.js:350 \|/);
  assert.match(out, /\| 10\.0% \| zaddGeneric commands\/zsets\.js:352 \|/);
  assert.match(out, /\| 20\.0% \| writeLatin1String \|/);
  const tables = out.slice(out.indexOf('\n'));
  assert.doesNotMatch(tables, /\(idle\)|\(program\)|\(root\)/); // not busy, or no samples
  // The function table is ordered by self time.
  const fnRows = out.split('| self | function |')[1]!.split('\n\n')[0]!;
  assert.ok(fnRows.indexOf('zaddGeneric') < fnRows.indexOf('writeLatin1String'));
});

test('cpuprofile summary: `top` bounds the rows of each table', () => {
  const out = summarize(profile, 1);
  const fnRows = out.split('| self | function |')[1]!.split('\n\n')[0]!.trim().split('\n');
  assert.equal(fnRows.length, 2); // the separator row and one row
  assert.match(fnRows[1]!, /zaddGeneric/);
});
