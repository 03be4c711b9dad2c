/**
 * Polling with deadlines and one-shot commands for process tests: never a fixed
 * sleep, every wait bounded, every connection short-lived with its own timeouts
 * (a stopped process never answers).
 */
import { RespClient, toPlain, type Plain, type Reply } from '../../src/protocol/resp-client.js';
import { parseInfo } from '../../src/server/info.js';

export { parseInfo };

export type Kind = 'redis' | 'cinnabar';

/**
 * Polls `fn` until it returns a value other than undefined/false (errors count as
 * "not yet"), and resolves with that value; fails with `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One command on a fresh connection, as its raw reply. */
export async function callRaw(port: number, ...args: string[]): Promise<Reply> {
  const c = await RespClient.connect({ port, host: '127.0.0.1', timeoutMs: 3000, commandTimeoutMs: 5000 });
  try {
    return await c.call(...args);
  } finally {
    c.destroy();
  }
}

/** One command on a fresh connection, as plain data. */
export async function call(port: number, ...args: string[]): Promise<Plain> {
  return toPlain(await callRaw(port, ...args));
}

/** INFO <section> of the server on `port` as field -> value. */
export async function info(port: number, section = 'replication'): Promise<Map<string, string>> {
  return parseInfo(String(await call(port, 'INFO', section)));
}

/** One INFO field of the server on `port`, or undefined. */
export async function infoField(port: number, section: string, field: string): Promise<string | undefined> {
  return (await info(port, section)).get(field);
}

/** Waits until the server of `c` reports exactly `n` blocked clients (INFO clients; deadline `timeoutMs`). */
export async function waitBlocked(c: RespClient, n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('INFO', 'clients');
    const m = r.t === 'bulk' && r.v !== null ? /blocked_clients:(\d+)/.exec(r.v) : null;
    if (m && Number(m[1]) === n) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${n} (last: ${r.t === 'bulk' ? r.v : r.t})`);
    await new Promise((res) => setTimeout(res, 5));
  }
}
