// Crash tests of the append-only file: a cinnabar-server under a write load is
// killed with SIGKILL and restarted on the same directory; every acknowledged
// write is accounted for.
//   - appendfsync always: no acknowledged write may be lost.
//   - appendfsync everysec: at most about one second of writes (a kill -9 keeps
//     the page cache, so in practice none; the bound is what the policy promises).
//   - kill -9 during BGREWRITEAOF (appendfsync always), at several moments of the
//     rewrite: the files left behind load, with every key and every acknowledged
//     write; stale temp files are removed at the restart.
// Each test prints its counts.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCinnabar, type ServerHandle } from '../helpers/servers.js';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cinnabar-aof-crash-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function start(dir: string, args: string[]): Promise<ServerHandle> {
  const h = await startCinnabar({ args: ['--appendonly', 'yes', '--dir', dir, ...args], startTimeoutMs: 30000 });
  cleanup.push(() => h.stop());
  return h;
}

function str(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'simple') return r.v;
  throw new Error(`expected a string, got ${formatReply(r)}`);
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Writers: each client INCRs its own counter in a loop and remembers the last value
 * acknowledged. After the crash a counter must be at least that value.
 */
class Load {
  readonly acked: number[];
  ops = 0;
  private stopped = false;
  private loops: Array<Promise<void>> = [];
  private clients: RespClient[] = [];
  startedAt = 0;

  constructor(
    readonly n: number,
    readonly prefix: string,
  ) {
    this.acked = new Array<number>(n).fill(0);
  }

  /** Starts (or restarts, after a crash) the writers on `h`. */
  async start(h: ServerHandle): Promise<void> {
    this.stopped = false;
    this.loops = [];
    this.clients = [];
    for (let i = 0; i < this.n; i++) this.clients.push(await h.client());
    this.startedAt = Date.now();
    for (let i = 0; i < this.n; i++) this.loops.push(this.loop(i));
  }

  private async loop(i: number): Promise<void> {
    const c = this.clients[i];
    const key = `${this.prefix}:${i}`;
    while (!this.stopped) {
      let r: Reply;
      try {
        r = await c.call('INCR', key);
      } catch {
        return; // the server died
      }
      if (r.t !== 'int') throw new Error(`INCR answered ${formatReply(r)}`);
      this.acked[i] = Number(r.v);
      this.ops++;
    }
  }

  /** Stops the writers (after the kill their calls fail) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.clients) c.destroy();
    await Promise.all(this.loops);
  }

  get total(): number {
    return this.acked.reduce((a, b) => a + b, 0);
  }

  /** Compares with the counters found after the restart: acknowledged increments missing. */
  async lost(c: RespClient): Promise<{ lost: number; extra: number }> {
    const keys = Array.from({ length: this.n }, (_, i) => ['GET', `${this.prefix}:${i}`]);
    const vals = await c.pipeline(keys);
    let lost = 0;
    let extra = 0;
    vals.forEach((v, i) => {
      const got = v.t === 'bulk' && v.v !== null ? Number(v.v) : 0;
      if (got < this.acked[i]) lost += this.acked[i] - got;
      else extra += got - this.acked[i];
    });
    return { lost, extra };
  }
}

async function kill9(h: ServerHandle): Promise<void> {
  h.kill('SIGKILL');
  // The child process is unref'd: keep the event loop alive until its exit is seen.
  const keep = setInterval(() => {}, 50);
  const deadline = setTimeout(() => {}, 10000);
  try {
    await Promise.race([h.waitExit(), new Promise((_, rej) => setTimeout(() => rej(new Error('no exit 10 s after SIGKILL')), 10000).unref())]);
  } finally {
    clearInterval(keep);
    clearTimeout(deadline);
  }
}

describe('AOF crash tests (kill -9 under load)', () => {
  test('appendfsync always: no acknowledged write lost', async () => {
    const dir = tempDir();
    const h = await start(dir, ['--appendfsync', 'always']);
    const load = new Load(8, 'always');
    await load.start(h);
    await waitFor('2000 acknowledged writes', () => load.ops >= 2000);
    await kill9(h);
    await load.stop();
    const secs = (Date.now() - load.startedAt) / 1000;
    const h2 = await start(dir, ['--appendfsync', 'always']);
    const { lost, extra } = await load.lost(await h2.client());
    console.log(
      `# appendfsync always: ${load.total} acknowledged INCRs in ${secs.toFixed(2)} s (${Math.round(load.total / secs)}/s) by 8 clients; ` +
        `lost after kill -9: ${lost}; applied but unacknowledged: ${extra}`,
    );
    assert.equal(lost, 0);
    assert.ok(extra <= load.n, 'at most one in-flight write per client can be applied without its reply');
    await h2.stop();
  });

  test('appendfsync everysec: at most about a second of writes lost', async () => {
    const dir = tempDir();
    const h = await start(dir, ['--appendfsync', 'everysec']);
    const load = new Load(8, 'everysec');
    await load.start(h);
    await waitFor('4000 acknowledged writes and 1.5 s', () => load.ops >= 4000 && Date.now() - load.startedAt > 1500);
    await kill9(h);
    await load.stop();
    const secs = (Date.now() - load.startedAt) / 1000;
    const rate = load.total / secs;
    const h2 = await start(dir, ['--appendfsync', 'everysec']);
    const { lost, extra } = await load.lost(await h2.client());
    console.log(
      `# appendfsync everysec: ${load.total} acknowledged INCRs in ${secs.toFixed(2)} s (${Math.round(rate)}/s); ` +
        `lost after kill -9: ${lost} (bound: one second = ${Math.round(rate)}); applied but unacknowledged: ${extra}`,
    );
    // The promise of everysec is about one second (Redis: up to two while an fsync stalls).
    assert.ok(lost <= Math.ceil(rate * 2), `lost ${lost} writes, more than two seconds' worth`);
    await h2.stop();
  });

  test('kill -9 during BGREWRITEAOF leaves loadable files (several moments)', async () => {
    const dir = tempDir();
    const KEYS = 60000;
    // appendfsync always: every acknowledged write must survive, whatever the moment.
    let h = await start(dir, ['--appendfsync', 'always']);
    {
      const c = await h.client();
      for (let i = 0; i < KEYS; i += 1000) {
        const args: string[] = ['MSET'];
        for (let j = i; j < i + 1000; j++) args.push(`key:${j}`, `value-${j}-${'x'.repeat(j % 40)}`);
        const r = await c.call(...args);
        assert.equal(str(r), 'OK');
      }
    }
    const load = new Load(4, 'rw');
    const delays = [0, 5, 20, 60, 150];
    const seen: string[] = [];
    for (const [round, delay] of delays.entries()) {
      await load.start(h);
      await waitFor('some writes', () => load.ops >= 200 * (round + 1));
      const c = await h.client();
      const r = await c.call('BGREWRITEAOF');
      assert.equal(str(r), 'Background append only file rewriting started');
      if (delay > 0) await new Promise((res) => setTimeout(res, delay));
      await kill9(h);
      await load.stop();
      const files = readdirSync(join(dir, 'appendonlydir')).sort();
      const manifest = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
      const midRewrite = manifest.split('\n').filter((l) => l.endsWith('type i')).length > 1;
      const stage = midRewrite ? (files.some((f) => f.startsWith('temp-rewriteaof')) ? 'during the base write' : 'after the base, before the new manifest') : 'after the rewrite';
      seen.push(stage);
      h = await start(dir, ['--appendfsync', 'always']);
      const c2 = await h.client();
      const ds = await c2.call('DBSIZE');
      const dbsize = ds.t === 'int' ? Number(ds.v) : -1;
      const { lost } = await load.lost(c2);
      const sample = await c2.pipeline([['GET', 'key:0'], ['GET', `key:${KEYS - 1}`], ['GET', `key:${KEYS >> 1}`]]);
      console.log(`# rewrite crash round ${round} (kill ${delay} ms after BGREWRITEAOF, ${stage}): files [${files.join(' ')}]; keys after restart ${dbsize}; acknowledged INCRs lost ${lost} of ${load.total}`);
      assert.equal(dbsize, KEYS + load.n);
      assert.equal(str(sample[0]), 'value-0-');
      assert.equal(str(sample[1]), `value-${KEYS - 1}-${'x'.repeat((KEYS - 1) % 40)}`);
      assert.equal(str(sample[2]), `value-${KEYS >> 1}-${'x'.repeat((KEYS >> 1) % 40)}`);
      assert.equal(lost, 0);
      c2.destroy();
    }
    assert.ok(seen.some((s) => s !== 'after the rewrite'), `no kill landed during a rewrite: ${seen.join(', ')}`);
    // A last rewrite completes and the directory is clean again.
    const c = await h.client();
    assert.equal(str(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
    await waitFor('the rewrite to end', async () => /aof_rewrite_in_progress:0/.test(str(await c.call('INFO', 'persistence'))));
    // History files are removed in the background.
    await waitFor('the history files to go', () => readdirSync(join(dir, 'appendonlydir')).length === 3, 10000);
    const files = readdirSync(join(dir, 'appendonlydir')).sort();
    assert.match(files.join(' '), /^appendonly\.aof\.\d+\.base\.rdb appendonly\.aof\.\d+\.incr\.aof appendonly\.aof\.manifest$/);
    assert.ok(existsSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest')));
    await h.stop();
  });
});
