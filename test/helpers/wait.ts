/**
 * Condition waits for process tests: poll `cond` until it holds, failing with
 * `what` when the deadline passes. Never a fixed sleep.
 */
import type { RespClient } from '../../src/protocol/client.js';

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One field of an INFO text ("name:value" line), or undefined. */
export function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : undefined;
}

/** INFO <section> from a connection, then one field of it (throws when absent). */
export async function info(c: RespClient, section: string, field: string): Promise<string> {
  const r = await c.call('INFO', section);
  const text = r.t === 'bulk' || r.t === 'verbatim' ? String(r.v) : '';
  const v = infoField(text, field);
  if (v === undefined) throw new Error(`INFO ${section} has no ${field}`);
  return v;
}
