// ioredis against Cinnabar and redis-server (issue 16, item 1): the job-queue pattern
// built on streams. A producer XADDs jobs; three workers of one consumer group loop on
// XREADGROUP BLOCK ... '>' and XACK what they processed; one worker "crashes" holding
// jobs, and a survivor takes them over with XAUTOCLAIM. On both servers every job is
// processed exactly once, the PEL ends empty and XINFO GROUPS reports the same
// entries-read and lag.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';

const JOBS = 300;
const LOOP_DEADLINE_MS = 20000;

async function runQueue(srv: ServerHandle): Promise<{ processed: string[]; groups: unknown; pending: unknown }> {
  const opts = { port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 };
  const producer = new Redis(opts);
  const workers = [new Redis(opts), new Redis(opts), new Redis(opts)];
  try {
    await producer.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM');
    const processed: string[] = [];
    const deadline = Date.now() + LOOP_DEADLINE_MS;
    let stop = false;
    // Worker 2 "crashes": it reads the first five jobs and never acknowledges them.
    for (let j = 0; j < 5; j++) await producer.xadd('jobs', '*', 'job', String(j));
    const held = (await workers[2].xreadgroup('GROUP', 'workers', 'w2', 'COUNT', '5', 'STREAMS', 'jobs', '>')) as Array<[string, unknown[]]>;
    assert.equal(held[0][1].length, 5);
    const loop = async (w: Redis, name: string): Promise<void> => {
      while (!stop && Date.now() < deadline) {
        const res = (await w.xreadgroup('GROUP', 'workers', name, 'COUNT', '7', 'BLOCK', '100', 'STREAMS', 'jobs', '>')) as
          | Array<[string, Array<[string, string[]]>]>
          | null;
        if (res === null) continue;
        for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            processed.push(fields[1]);
            await w.xack('jobs', 'workers', id);
          }
        }
      }
    };
    const loops = [loop(workers[0], 'w0'), loop(workers[1], 'w1')];
    for (let i = 5; i < JOBS; i += 5) {
      const p = producer.pipeline();
      for (let j = i; j < i + 5; j++) p.xadd('jobs', '*', 'job', String(j));
      await p.exec();
    }
    while (processed.length < JOBS - 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await Promise.all(loops);
    // A survivor takes over the crashed worker's jobs.
    for (let round = 0; round < 10; round++) {
      const [next, claimed] = (await workers[0].xautoclaim('jobs', 'workers', 'w0', '0', '0', 'COUNT', '2')) as [string, Array<[string, string[]]>, string[]];
      for (const [id, fields] of claimed) {
        processed.push(fields[1]);
        await workers[0].xack('jobs', 'workers', id);
      }
      if (next === '0-0') break;
    }
    const groups = await producer.xinfo('GROUPS', 'jobs');
    const pending = await producer.xpending('jobs', 'workers');
    return { processed, groups, pending };
  } finally {
    producer.disconnect();
    for (const w of workers) w.disconnect();
  }
}

describe('ioredis: a stream job queue with a consumer group', { skip: skipIfNoRedis() }, () => {
  test('every job processed once, the crashed worker\'s jobs claimed, the same group state on both servers', async () => {
    const [cin, red] = await Promise.all([startCinnabar(), startRedis()]);
    try {
      const [ours, theirs] = await Promise.all([runQueue(cin), runQueue(red)]);
      for (const [name, r] of [
        ['cinnabar', ours],
        ['redis-server', theirs],
      ] as const) {
        const sorted = r.processed.map(Number).sort((a, b) => a - b);
        assert.deepEqual(sorted, Array.from({ length: JOBS }, (_, i) => i), `${name}: each job exactly once`);
        assert.deepEqual(r.pending, [0, null, null, null], `${name}: nothing pending`);
      }
      // Consumers differ by which worker served what; entries-read, lag and counts do not.
      const summary = (g: unknown) => (g as unknown[][]).map((x) => Object.fromEntries((x as unknown[]).reduce<unknown[][]>((a, v, i) => (i % 2 ? a : [...a, [v, (x as unknown[])[i + 1]]]), [])));
      const so = summary(ours.groups).map(({ name, pending, 'entries-read': er, lag }) => ({ name, pending, er, lag }));
      const st = summary(theirs.groups).map(({ name, pending, 'entries-read': er, lag }) => ({ name, pending, er, lag }));
      assert.deepEqual(so, st);
      assert.deepEqual(so, [{ name: 'workers', pending: 0, er: JOBS, lag: 0 }]);
    } finally {
      await Promise.all([cin.stop(), red.stop()]);
    }
  });
});
