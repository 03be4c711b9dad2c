/**
 * Background write load, run as a worker thread by bench/latency.ts: one
 * connection, closed loop (one command outstanding), cycling through the
 * write commands it was given (SET / LPUSH / HSET / ZADD on random keys)
 * until the shared stop flag is set.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { RespClient, type CommandArg } from '../src/protocol/resp-client.js';

export interface WriteLoadData {
  host: string;
  port: number;
  /** Int32Array(1) over a SharedArrayBuffer; non-zero = stop. */
  stop: SharedArrayBuffer;
  commands: string[];
}

export interface WriteLoadReport {
  type: 'done';
  ops: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  perCommand: Record<string, number>;
}

const VALUE = 'w'.repeat(16);
const rnd = (n: number): number => Math.floor(Math.random() * n);

export function writeCommand(name: string): CommandArg[] {
  switch (name) {
    case 'SET':
      return ['SET', `w:s:${rnd(10000)}`, VALUE];
    case 'LPUSH':
      return ['LPUSH', `w:l:${rnd(100)}`, VALUE];
    case 'HSET':
      return ['HSET', `w:h:${rnd(10000)}`, `f${rnd(10)}`, VALUE];
    case 'ZADD':
      return ['ZADD', `w:z:${rnd(10000)}`, rnd(1000000), `m${rnd(100)}`];
    default:
      throw new Error(`unknown write command ${name}`);
  }
}

async function main(): Promise<void> {
  const d = workerData as WriteLoadData;
  const stop = new Int32Array(d.stop);
  const c = await RespClient.connect({ host: d.host, port: d.port, timeoutMs: 5000, commandTimeoutMs: 30000 });
  parentPort!.postMessage({ type: 'ready' });
  const perCommand: Record<string, number> = {};
  let ops = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  try {
    for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
      const name = d.commands[i % d.commands.length]!;
      const r = await c.call(...writeCommand(name));
      ops++;
      perCommand[name] = (perCommand[name] ?? 0) + 1;
      if (r.t === 'err') {
        errors++;
        if (firstError === null) firstError = `${name}: ${r.v}`;
      }
    }
  } finally {
    c.destroy();
  }
  const report: WriteLoadReport = { type: 'done', ops, errors, firstError, elapsedMs: performance.now() - t0, perCommand };
  parentPort!.postMessage(report);
}

if (parentPort !== null) {
  main().catch((e: unknown) => {
    parentPort!.postMessage({ type: 'error', error: e instanceof Error ? e.message : String(e) });
  });
}
