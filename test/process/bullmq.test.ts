// BullMQ (its Lua scripts use cjson, cmsgpack, redis.call/pcall and many commands)
// against Cinnabar and redis-server (issue 15, item 7): a queue with a worker,
// a delayed job, a job that fails once and is retried, a job scheduler
// (upsertJobScheduler, every 150 ms) and a flow (FlowProducer: a parent that runs
// after its two children and reads their results). The same steps run on both
// servers and their outcomes are compared.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker, FlowProducer, type Job } from 'bullmq';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const DEADLINE_MS = 20000;

interface Outcome {
  completed: string[];
  results: Record<string, unknown>;
  retriedAttempts: number;
  delayedWaitedMs: boolean;
  schedulerRuns: boolean;
  childrenValues: unknown[];
  counts: Record<string, number>;
}

async function runBull(srv: ServerHandle): Promise<Outcome> {
  const connection = { host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: null };
  const queue = new Queue('jobs', { connection });
  const flows = new FlowProducer({ connection });
  const completed: string[] = [];
  const results: Record<string, unknown> = {};
  let schedulerTicks = 0;
  let failedOnce = false;
  const worker = new Worker(
    'jobs',
    async (job: Job) => {
      if (job.name === 'flaky' && !failedOnce) {
        failedOnce = true;
        throw new Error('first attempt fails');
      }
      if (job.name === 'tick') {
        schedulerTicks++;
        return 'tick';
      }
      if (job.name === 'parent') {
        const values = await job.getChildrenValues();
        return Object.values(values).sort();
      }
      return { doubled: (job.data as { n: number }).n * 2 };
    },
    { connection, concurrency: 2 },
  );
  worker.on('completed', (job: Job, rv: unknown) => {
    if (job.name === 'tick') return;
    completed.push(job.name);
    results[job.name] = rv;
  });
  worker.on('error', () => {});
  try {
    await worker.waitUntilReady();
    const t0 = Date.now();
    await queue.add('plain', { n: 21 });
    await queue.add('delayed', { n: 5 }, { delay: 300 });
    const flaky = await queue.add('flaky', { n: 1 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    await queue.upsertJobScheduler('every-150', { every: 150 }, { name: 'tick', data: {} });
    await flows.add({
      name: 'parent',
      queueName: 'jobs',
      data: { n: 0 },
      children: [
        { name: 'child-a', queueName: 'jobs', data: { n: 10 } },
        { name: 'child-b', queueName: 'jobs', data: { n: 20 } },
      ],
    });
    await waitFor('all jobs completed', () => completed.length >= 6 && schedulerTicks >= 2, DEADLINE_MS);
    const delayedAt = Date.now() - t0;
    const retried = await queue.getJob(flaky.id!);
    const schedulers = await queue.getJobSchedulers();
    await queue.removeJobScheduler('every-150');
    const parentJob = (await queue.getCompleted()).find((j) => j.name === 'parent');
    const childrenValues = parentJob ? Object.values(await parentJob.getChildrenValues()).map((v) => JSON.stringify(v)).sort() : [];
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting-children');
    return {
      completed: [...completed].sort(),
      results,
      retriedAttempts: retried?.attemptsMade ?? -1,
      delayedWaitedMs: delayedAt >= 300,
      schedulerRuns: schedulerTicks >= 2 && schedulers.length === 1 && schedulers[0].every === 150,
      childrenValues,
      counts: { failed: counts.failed, 'waiting-children': counts['waiting-children'] },
    };
  } finally {
    await worker.close();
    await flows.close();
    await queue.close();
  }
}

describe('BullMQ against Cinnabar and redis-server', { skip: skipIfNoRedis() }, () => {
  test('queue, worker, delayed and retried jobs, a job scheduler, a flow', { timeout: 90000 }, async () => {
    const [c, r] = await Promise.all([startCinnabar(), startRedis()]);
    try {
      const [ours, theirs] = await Promise.all([runBull(c), runBull(r)]);
      assert.deepEqual(ours.completed, ['child-a', 'child-b', 'delayed', 'flaky', 'parent', 'plain']);
      assert.deepEqual(ours.results.plain, { doubled: 42 });
      assert.equal(ours.retriedAttempts, 2);
      assert.equal(ours.delayedWaitedMs, true);
      assert.equal(ours.schedulerRuns, true);
      assert.deepEqual(ours, theirs);
    } finally {
      await Promise.all([c.stop(), r.stop()]);
    }
  });
});
