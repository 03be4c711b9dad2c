// appendfsync always: no reply leaves before the write it acknowledges is fsynced,
// even when other clients' writes are handled in the same event-loop turn (issue 13
// item 5). The same steps run against redis-server 7.0 and Cinnabar:
//
//   1. Ordering, seen from the kernel: the server is traced with strace (write,
//      writev, fsync, fdatasync on every thread, file names resolved with -y) while
//      several clients keep pipelines of writes in flight. Walking the trace, a
//      write to the AOF file makes it "unsynced" until an fsync/fdatasync of it
//      completes; a write to a client socket while it is unsynced is a reply that
//      left before its data was on disk. There must be none. The trace also counts
//      the turns in which one fsync covered the writes of two or more clients (the
//      replies after it went to several sockets): the case under test, which must occur.
//      The check is shown to catch a violation: under appendfsync everysec
//      (redis-server, fsync once a second on a background thread) it must count
//      replies written before their fsync.
//   2. Durability: the same load, then SIGKILL while it runs; after the restart every
//      acknowledged write is in the data set (lost must be 0; the figure is printed).

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';
import { formatReply, type RespClient } from '../../src/protocol/resp-client.js';

type Kind = 'redis' | 'cinnabar';
const WAIT_MS = 30000;
/** Clients writing at once, commands per pipeline, pipelines each client sends while traced. */
const CLIENTS = 8;
const PIPELINE = 16;
const TRACED_ROUNDS = 40;

const cleanup: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

function tempDir(kind: Kind): string {
  const d = mkdtempSync(join(tmpdir(), `cinnabar-aof-always-${kind}-`));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function start(kind: Kind, dir: string, fsync = 'always'): Promise<ServerHandle> {
  const opts = { args: ['--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync], startTimeoutMs: 30000 };
  const h = await (kind === 'redis' ? startRedis(opts) : startCinnabar(opts));
  cleanup.push(() => h.stop());
  return h;
}

function hasStrace(): string | false {
  const r = spawnSync('strace', ['-V'], { stdio: 'ignore' });
  return r.status === 0 ? false : 'strace is not installed';
}

/**
 * Writers: client i INCRs `w:i` in pipelines of PIPELINE commands, one pipeline in
 * flight at a time, and records the highest value acknowledged.
 */
class Writers {
  readonly acked = new Array<number>(CLIENTS).fill(0);
  stopped = false;
  failed: string | null = null;
  pipelines = 0;

  constructor(readonly clients: RespClient[]) {}

  /** Runs until `rounds` pipelines per client were acknowledged, or stop()/a dead server. */
  run(rounds: number): Promise<void> {
    return Promise.all(this.clients.map((c, i) => this.loop(c, i, rounds))).then(() => {});
  }

  private async loop(c: RespClient, i: number, rounds: number): Promise<void> {
    const cmds = Array.from({ length: PIPELINE }, () => ['INCR', `w:${i}`]);
    for (let r = 0; r < rounds && !this.stopped; r++) {
      let replies;
      try {
        replies = await c.pipeline(cmds);
      } catch {
        return; // the server was killed
      }
      for (const rep of replies) {
        if (rep.t !== 'int') {
          this.failed = `INCR answered ${formatReply(rep)}`;
          return;
        }
        this.acked[i] = Math.max(this.acked[i], Number(rep.v));
      }
      this.pipelines++;
    }
  }

  get total(): number {
    return this.acked.reduce((a, b) => a + b, 0);
  }
}

interface TraceFigures {
  aofWrites: number;
  fsyncs: number;
  socketWrites: number;
  /** Socket writes while the AOF held written but not yet fsynced data. */
  unsyncedReplies: number;
  /** fsyncs after which replies went to two or more sockets before the next AOF write. */
  multiClientTurns: number;
}

/**
 * Walks an `strace -f -y` trace. Events are taken where they take effect: an AOF
 * write when it starts, an fsync when it returns (its "resumed" line when another
 * thread's call interleaved), a socket write when it starts.
 */
function analyse(trace: string): TraceFigures {
  const f: TraceFigures = { aofWrites: 0, fsyncs: 0, socketWrites: 0, unsyncedReplies: 0, multiClientTurns: 0 };
  const pendingFsync = new Map<string, boolean>();
  let unsynced = false;
  let sockets = new Set<string>();
  const isAof = (target: string): boolean => /appendonly\.aof\.\d+\.incr\.aof>$/.test(target);
  for (const line of trace.split('\n')) {
    const m = /^(\d+) +(?:(\w+)\((\d+)(<[^>]*>)?|<\.\.\. (\w+) resumed>)(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, call, , target = '', resumed, rest] = m;
    if (resumed !== undefined) {
      if ((resumed === 'fsync' || resumed === 'fdatasync') && pendingFsync.get(pid) === true && /= 0$/.test(rest)) {
        pendingFsync.delete(pid);
        f.fsyncs++;
        unsynced = false;
        sockets = new Set();
      }
      continue;
    }
    if (call === 'fsync' || call === 'fdatasync') {
      if (!isAof(target)) continue;
      if (rest.includes('<unfinished ...>')) pendingFsync.set(pid, true);
      else if (/= 0$/.test(rest)) {
        f.fsyncs++;
        unsynced = false;
        sockets = new Set();
      }
    } else if (call === 'write' || call === 'writev' || call === 'pwrite64') {
      if (isAof(target)) {
        f.aofWrites++;
        if (sockets.size >= 2) f.multiClientTurns++;
        sockets = new Set();
        unsynced = true;
      } else if (target.startsWith('<socket:') || target.startsWith('<TCP:')) {
        f.socketWrites++;
        if (unsynced) f.unsyncedReplies++;
        sockets.add(target);
      }
    }
  }
  if (sockets.size >= 2) f.multiClientTurns++;
  return f;
}

/** strace attached to every thread of `pid`, writing to `out`; resolves once attached to `pid` itself. */
async function attachStrace(pid: number, out: string): Promise<ChildProcess> {
  const st = spawn('strace', ['-f', '-y', '-s', '0', '-e', 'trace=write,writev,pwrite64,fsync,fdatasync', '-o', out, '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanup.push(() => {
    if (st.exitCode === null) st.kill('SIGKILL');
  });
  let err = '';
  st.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(`strace to attach to ${pid}`, () => err.includes(`Process ${pid} attached`), WAIT_MS, 20).catch((e: Error) => {
    throw new Error(`${e.message}; strace said: ${err}`);
  });
  return st;
}

async function stopStrace(st: ChildProcess): Promise<void> {
  if (st.exitCode !== null) return;
  const done = new Promise<void>((res) => st.once('exit', () => res()));
  st.kill('SIGINT');
  await done;
}

async function kill9(h: ServerHandle): Promise<void> {
  h.kill('SIGKILL');
  const keep = setInterval(() => {}, 50);
  try {
    await Promise.race([h.waitExit(), new Promise((_, rej) => setTimeout(() => rej(new Error('no exit 10 s after SIGKILL')), 10000).unref())]);
  } finally {
    clearInterval(keep);
  }
}

async function clients(h: ServerHandle): Promise<RespClient[]> {
  const out: RespClient[] = [];
  for (let i = 0; i < CLIENTS; i++) out.push(await h.client());
  return out;
}

/** Traces `h` while the writers run TRACED_ROUNDS pipelines each; returns the figures. */
async function tracedLoad(h: ServerHandle, dir: string): Promise<{ fig: TraceFigures; writers: Writers }> {
  const out = join(dir, 'strace.txt');
  const st = await attachStrace(h.pid, out);
  // A marker: once its AOF write is in the trace, the thread that writes is traced.
  const probe = await h.client();
  await waitFor('the trace to show an AOF write', async () => {
    await probe.call('INCR', 'probe');
    return /appendonly\.aof\.\d+\.incr\.aof>/.test(readFileSync(out, 'latin1'));
  }, WAIT_MS, 20);
  const writers = new Writers(await clients(h));
  await writers.run(TRACED_ROUNDS);
  assert.equal(writers.failed, null);
  await stopStrace(st);
  return { fig: analyse(readFileSync(out, 'latin1')), writers };
}

describe('appendfsync always side by side with redis-server 7.0', { skip: skipIfNoRedis() || hasStrace() }, () => {
  test('the trace check catches replies sent before their fsync (redis-server, appendfsync everysec)', async () => {
    const dir = tempDir('redis');
    const h = await start('redis', dir, 'everysec');
    const { fig } = await tracedLoad(h, dir);
    console.log(`# redis everysec: AOF writes ${fig.aofWrites}, fsyncs ${fig.fsyncs}, replies written before their fsync ${fig.unsyncedReplies}`);
    assert.ok(fig.aofWrites > 0);
    assert.ok(fig.unsyncedReplies > 0, 'the check saw no reply before an fsync under everysec');
    await h.stop();
  });

  for (const kind of ['redis', 'cinnabar'] as const) {
    test(`${kind}: no reply before its fsync (strace), nothing acknowledged lost after kill -9`, async () => {
      const dir = tempDir(kind);
      let h = await start(kind, dir);
      const { fig, writers: traced } = await tracedLoad(h, dir);
      console.log(
        `# ${kind}: ${traced.total} INCRs by ${CLIENTS} clients in pipelines of ${PIPELINE} under strace; ` +
          `AOF writes ${fig.aofWrites}, fsyncs ${fig.fsyncs}, socket writes ${fig.socketWrites}, ` +
          `turns where one fsync covered several clients ${fig.multiClientTurns}, replies written before their fsync ${fig.unsyncedReplies}`,
      );
      assert.equal(traced.total, CLIENTS * PIPELINE * TRACED_ROUNDS);
      assert.ok(fig.aofWrites > 0 && fig.fsyncs >= fig.aofWrites, `${kind}: every AOF write is followed by an fsync`);
      assert.ok(fig.multiClientTurns > 0, `${kind}: no turn served several clients; the test did not exercise the case`);
      assert.equal(fig.unsyncedReplies, 0, `${kind}: replies left before the fsync of their write`);

      // Durability: the same load, killed while it runs.
      const load = new Writers(await clients(h));
      const base = traced.acked.slice();
      const running = load.run(Number.MAX_SAFE_INTEGER);
      await waitFor('some acknowledged pipelines', () => load.pipelines >= 200, WAIT_MS, 5);
      await kill9(h);
      load.stopped = true;
      await running;
      assert.equal(load.failed, null);
      h = await start(kind, dir);
      const c = await h.client();
      const vals = await c.pipeline(Array.from({ length: CLIENTS }, (_, i) => ['GET', `w:${i}`]));
      let lost = 0;
      let acked = 0;
      vals.forEach((v, i) => {
        const want = Math.max(base[i], load.acked[i]);
        const got = v.t === 'bulk' && v.v !== null ? Number(v.v) : 0;
        acked += want;
        if (got < want) lost += want - got;
      });
      console.log(`# ${kind}: kill -9 under load: ${acked} acknowledged INCRs, lost after the restart ${lost}`);
      assert.equal(lost, 0);
      await h.stop();
    });
  }
});
