// The append-only file, in-process: the manifest format and its errors, the
// command-stream parser, the start-up loader (truncation, MULTI reverted, upgrade
// of an old single file, manifest errors, keys with a past TTL kept while loading),
// a fuzz of the loader with truncated and mutated files (never a throw, never a
// half-loaded keyspace), and the writer: what reaches the incr file, SELECT and
// timestamps, appendfsync always fsyncing before the reply, BGREWRITEAOF replies,
// CONFIG SET appendonly yes/no, INFO fields.

import { createServer } from '../../src/compose/compose.js';
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { RespClient, formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { ManifestError, formatManifest, parseManifest, emptyManifest } from '../../src/persistence/aof-manifest.js';
import { SCAN_FORMAT, SCAN_OK, SCAN_TRUNCATED, scanAofCommands } from '../../src/persistence/aof-loader.js';
import { aofInfoFields, aofStateOf, loadAofAtStartup } from '../../src/persistence/aof.js';
import { Rng } from '../helpers/random.js';
import { waitFor } from '../helpers/wait.js';

const SEED = Number(process.env['CINNABAR_SEED'] ?? 0xa0f);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cinnabar-aof-unit-'));
  dirs.push(d);
  return d;
}

/** A logger that keeps the lines (tests look for Redis's messages). */
class MemLogger extends Logger {
  lines: string[] = [];
  override log(level: 'debug' | 'verbose' | 'notice' | 'warning', msg: string): void {
    if (level === 'notice' || level === 'warning') this.lines.push(msg);
  }
  has(s: string): boolean {
    return this.lines.some((l) => l.includes(s));
  }
}

function newServer(dir: string, extra: Record<string, string> = {}): { s: Server; log: MemLogger } {
  const cfg = new Config();
  cfg.set('dir', [dir]);
  cfg.set('save', ['']);
  cfg.set('port', ['0']);
  cfg.set('bind', ['127.0.0.1']);
  cfg.set('appendonly', ['yes']);
  for (const [k, v] of Object.entries(extra)) cfg.set(k, [v]);
  const log = new MemLogger();
  return { s: createServer(cfg, log), log };
}

/** Turns the AOF off (closing its files) and closes the server. */
function dispose(s: Server): void {
  if (s.config.getBool('appendonly')) s.config.set('appendonly', ['no']);
  s.close();
}

function resp(...argv: string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

function writeAof(dir: string, manifest: string, files: Record<string, string | Buffer>): string {
  const d = join(dir, 'appendonlydir');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'appendonly.aof.manifest'), manifest);
  for (const [n, c] of Object.entries(files)) writeFileSync(join(d, n), typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  return d;
}

function keysOf(s: Server, db = 0): string[] {
  return [...s.ks.dbs[db].dict.keys()].sort();
}

function totalKeys(s: Server): number {
  let n = 0;
  for (const db of s.ks.dbs) n += db.size;
  return n;
}

function str(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'simple') return r.v;
  if (r.t === 'err') return '-' + r.v;
  if (r.t === 'int') return String(r.v);
  throw new Error(`unexpected ${formatReply(r)}`);
}

describe('manifest', () => {
  test('round trip and Redis format', () => {
    const text = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n';
    const m = parseManifest(text);
    assert.equal(m.base?.name, 'appendonly.aof.1.base.rdb');
    assert.equal(m.incr.length, 2);
    assert.equal(m.baseSeq, 1);
    assert.equal(m.incrSeq, 2);
    assert.equal(formatManifest(m), text);
    // History lines come between base and incr; comments are skipped; unknown keys ignored.
    const m2 = parseManifest('# comment\nfile a.1.incr.aof seq 1 type i x y\nfile b seq 3 type b\nfile old seq 2 type h\n');
    assert.equal(formatManifest(m2), 'file b seq 3 type b\nfile old seq 2 type h\nfile a.1.incr.aof seq 1 type i\n');
    // Names that need quoting.
    const m3 = emptyManifest();
    m3.base = { name: 'my file"x', seq: 1, type: 'b' };
    const t3 = formatManifest(m3);
    assert.equal(t3, 'file "my file\\"x" seq 1 type b\n');
    assert.equal(parseManifest(t3).base?.name, 'my file"x');
  });

  test('errors with Redis messages', () => {
    const cases: Array<[string, string]> = [
      ['', 'Found an empty AOF manifest'],
      ['file a seq 1 typo i\n', 'Invalid AOF manifest file format'],
      ['file a seq 1\n', 'Invalid AOF manifest file format'],
      ['\n', 'Invalid AOF manifest file format'],
      ['file a seq 0 type i\n', 'Invalid AOF manifest file format'],
      ['file a/b seq 1 type i\n', "File can't be a path, just a filename"],
      ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
      ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
      ['file a seq 1 type x\n', 'Unknown AOF file type'],
      ['file a seq 1 type i', 'The AOF manifest file contains too long line'],
      [`file ${'a'.repeat(1100)} seq 1 type i\n`, 'The AOF manifest file contains too long line'],
    ];
    for (const [text, msg] of cases) {
      assert.throws(() => parseManifest(text), (e: unknown) => e instanceof ManifestError && e.message === msg, JSON.stringify(text));
    }
  });
});

describe('command stream parser', () => {
  const stream = '#TS:1700000000\r\n' + resp('SELECT', '0') + resp('SET', 'k', 'v\r\nx') + resp('DEL', 'k');
  test('parses commands and skips annotations', () => {
    const got: string[][] = [];
    const r = scanAofCommands(Buffer.from(stream, 'latin1'), 0, (argv) => {
      got.push(argv);
      return true;
    });
    assert.equal(r.status, SCAN_OK);
    assert.equal(r.validUpTo, stream.length);
    assert.deepEqual(got, [['SELECT', '0'], ['SET', 'k', 'v\r\nx'], ['DEL', 'k']]);
  });

  test('every cut is a truncation at the last complete command', () => {
    const ends = [16];
    for (const part of [resp('SELECT', '0'), resp('SET', 'k', 'v\r\nx'), resp('DEL', 'k')]) ends.push(ends[ends.length - 1] + part.length);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = scanAofCommands(Buffer.from(stream.slice(0, cut), 'latin1'), 0, () => true);
      const expectValid = ends.filter((e) => e <= cut).pop() ?? 0;
      if (ends.includes(cut)) assert.equal(r.status, SCAN_OK, `cut ${cut}`);
      else assert.equal(r.status, SCAN_TRUNCATED, `cut ${cut}`);
      assert.equal(r.validUpTo, expectValid, `cut ${cut}`);
    }
  });

  test('bad format', () => {
    for (const bad of ['x', '*0\r\n', '*1\r\n:3\r\n', '*1\r\n$3\r\nabcd\r\n', '*a\r\n', '*1\n$1\r\na\r\n', '*1\r\n$-1\r\n']) {
      const r = scanAofCommands(Buffer.from(resp('PING') + bad, 'latin1'), 0, () => true);
      assert.equal(r.status, SCAN_FORMAT, JSON.stringify(bad));
      assert.equal(r.validUpTo, resp('PING').length);
    }
  });
});

describe('loading at start-up', () => {
  test('base RDB + incr files, history ignored, incr reopened', () => {
    const dir = tempDir();
    // A base written by us, then incr files by hand.
    const a = newServer(dir);
    assert.equal(loadAofAtStartup(a.s), true);
    assert.ok(a.log.has('Creating AOF base file appendonly.aof.1.base.rdb on server start'));
    assert.ok(a.log.has('Creating AOF incr file appendonly.aof.1.incr.aof on server start'));
    dispose(a.s);
    const d = join(dir, 'appendonlydir');
    writeFileSync(join(d, 'appendonly.aof.1.incr.aof'), resp('SELECT', '0') + resp('SET', 'a', '1') + resp('SELECT', '2') + resp('RPUSH', 'l', 'x', 'y'));
    writeFileSync(join(d, 'appendonly.aof.2.incr.aof'), resp('SELECT', '2') + resp('LPOP', 'l') + resp('SELECT', '0') + resp('INCR', 'a'));
    writeFileSync(
      join(d, 'appendonly.aof.manifest'),
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile gone.aof seq 1 type h\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const b = newServer(dir);
    assert.equal(loadAofAtStartup(b.s), true);
    assert.equal((b.s.ks.dbs[0].dict.get('a')?.value as string) ?? '', '2');
    assert.deepEqual((b.s.ks.dbs[2].dict.get('l')?.value as { toArray(): string[] }).toArray(), ['y']);
    assert.ok(b.log.has('Opening AOF incr file appendonly.aof.2.incr.aof on server start'));
    assert.ok(b.log.has('DB loaded from append only file'));
    assert.equal(b.s.dirty, 0);
    // The history entry is gone from the manifest.
    assert.equal(readFileSync(join(d, 'appendonly.aof.manifest'), 'latin1').includes('gone.aof'), false);
    dispose(b.s);
  });

  test('truncated last file: cut back with aof-load-truncated yes, refused with no', () => {
    const body = resp('SELECT', '0') + resp('SET', 'a', '1');
    const cutText = body + resp('SET', 'b', '2').slice(0, 10);
    for (const allow of ['yes', 'no']) {
      const dir = tempDir();
      const d = writeAof(dir, 'file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': cutText });
      const { s, log } = newServer(dir, { 'aof-load-truncated': allow });
      const ok = loadAofAtStartup(s);
      if (allow === 'yes') {
        assert.equal(ok, true);
        assert.deepEqual(keysOf(s), ['a']);
        assert.ok(log.has('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!'));
        assert.ok(log.has(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${body.length} !!!`));
        assert.ok(log.has('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled'));
        assert.equal(statSync(join(d, 'appendonly.aof.1.incr.aof')).size, body.length);
      } else {
        assert.equal(ok, false);
        assert.equal(totalKeys(s), 0);
        assert.ok(log.has('Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can:'));
        assert.equal(statSync(join(d, 'appendonly.aof.1.incr.aof')).size, cutText.length);
      }
      dispose(s);
    }
  });

  test('incomplete MULTI is reverted; truncated file that is not the last one is fatal', () => {
    let dir = tempDir();
    const body = resp('SELECT', '0') + resp('SET', 'a', '1');
    writeAof(dir, 'file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': body + resp('MULTI') + resp('SET', 'b', '1') });
    let r = newServer(dir);
    assert.equal(loadAofAtStartup(r.s), true);
    assert.deepEqual(keysOf(r.s), ['a']);
    assert.ok(r.log.has('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof'));
    assert.ok(r.log.has(`Truncating the AOF appendonly.aof.1.incr.aof at offset ${body.length}`));
    dispose(r.s);

    dir = tempDir();
    writeAof(dir, 'file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n', {
      'appendonly.aof.1.incr.aof': body + '*3\r\n$3',
      'appendonly.aof.2.incr.aof': resp('SET', 'c', '1'),
    });
    r = newServer(dir);
    assert.equal(loadAofAtStartup(r.s), false);
    assert.ok(r.log.has('Fatal error: the truncated file is not the last file'));
    assert.equal(totalKeys(r.s), 0);
    dispose(r.s);
  });

  test('refusals: bad format, unknown command, missing file, bad manifest', () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': resp('SET', 'a', '1') + 'xx3\r\n' }, 'Bad file format reading the append only file appendonly.aof.1.incr.aof'],
      ['file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': resp('SET', 'a', '1') + resp('FOO') }, "Unknown command 'FOO' reading the append only file appendonly.aof.1.incr.aof"],
      ['file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': resp('SET', 'a', '1') + resp('SHUTDOWN') }, "Command 'SHUTDOWN' is not a write command"],
      ['file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': resp('SET', 'a', '1') }, 'Unable to obtain the AOF file appendonly.aof.1.base.rdb length. stat: No such file or directory'],
      ['file appendonly.aof.1.incr.aof seq 1 typo i\n', {}, 'Invalid AOF manifest file format'],
      ['file appendonly.aof.1.base.rdb seq 1 type b\n', { 'appendonly.aof.1.base.rdb': 'REDIS0010\xfe' }, 'Error reading the RDB preamble of the AOF file appendonly.aof.1.base.rdb, AOF loading aborted'],
    ];
    for (const [manifest, files, msg] of cases) {
      const dir = tempDir();
      writeAof(dir, manifest, files);
      const { s, log } = newServer(dir);
      assert.equal(loadAofAtStartup(s), false, msg);
      assert.ok(log.has(msg), `${msg}\n${log.lines.join('\n')}`);
      assert.equal(totalKeys(s), 0);
      dispose(s);
    }
  });

  test('an old single-file AOF is migrated into the directory', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'appendonly.aof'), resp('SELECT', '0') + resp('SET', 'q', '1'));
    const { s, log } = newServer(dir);
    assert.equal(loadAofAtStartup(s), true);
    assert.deepEqual(keysOf(s), ['q']);
    assert.ok(log.has('Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).'));
    assert.ok(log.has('DB loaded from base file appendonly.aof'));
    assert.equal(existsSync(join(dir, 'appendonly.aof')), false);
    assert.equal(
      readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'),
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
    dispose(s);
  });

  test('keys do not expire while loading: a later PERSIST keeps a key whose TTL is past', () => {
    const dir = tempDir();
    const past = String(Date.now() - 60000);
    writeAof(dir, 'file appendonly.aof.1.incr.aof seq 1 type i\n', {
      'appendonly.aof.1.incr.aof': resp('SELECT', '0') + resp('SET', 'k', 'v', 'PXAT', past) + resp('PERSIST', 'k') + resp('SET', 'gone', 'v', 'PXAT', past),
    });
    const { s } = newServer(dir);
    assert.equal(loadAofAtStartup(s), true);
    s.ks.now = Date.now();
    assert.equal(s.ks.dbs[0].lookup('k')?.value, 'v');
    assert.equal(s.ks.dbs[0].getExpire('k'), -1);
    assert.equal(s.ks.dbs[0].lookup('gone'), undefined);
    dispose(s);
  });
});

describe('loader fuzz', () => {
  // Commands that each create one key k<i>; some groups wrapped in MULTI/EXEC. A
  // loaded keyspace must be exactly k0..k<m-1> for some m that does not split a group.
  function build(rng: Rng): { text: string; groups: number[][] } {
    let text = resp('SELECT', '0');
    const groups: number[][] = [];
    let i = 0;
    while (i < 60) {
      if (rng.bool(0.25)) {
        const g: number[] = [];
        text += resp('MULTI');
        const n = 1 + rng.int(4);
        for (let j = 0; j < n; j++, i++) {
          text += resp('SET', `k${i}`, rng.alnum(rng.int(20)));
          g.push(i);
        }
        text += resp('EXEC');
        groups.push(g);
      } else {
        if (rng.bool(0.2)) text += `#TS:${1700000000 + i}\r\n`;
        text += resp('RPUSH', `k${i}`, rng.bytes(rng.int(12)), 'x');
        groups.push([i]);
        i++;
      }
    }
    return { text, groups };
  }

  function checkPrefix(s: Server, groups: number[][]): void {
    const keys = new Set(s.ks.dbs[0].dict.keys());
    let m = 0;
    while (keys.has(`k${m}`)) m++;
    assert.equal(keys.size, m, 'keys beyond a gap');
    const bounds = new Set([0]);
    let n = 0;
    for (const g of groups) bounds.add((n += g.length));
    assert.ok(bounds.has(m), `a MULTI group split at ${m}`);
  }

  test('truncated and mutated files: never a throw, never half a dataset', () => {
    const rng = new Rng(SEED);
    console.log(`# aof loader fuzz seed ${SEED} (CINNABAR_SEED to replay)`);
    let loaded = 0;
    let refused = 0;
    const rounds = 120;
    for (let round = 0; round < rounds; round++) {
      const { text, groups } = build(rng);
      let data = Buffer.from(text, 'latin1');
      const kind = round % 3;
      if (kind === 0) {
        data = data.subarray(0, rng.int(data.length + 1));
      } else {
        data = Buffer.from(data);
        const flips = 1 + rng.int(kind === 1 ? 2 : 8);
        for (let f = 0; f < flips; f++) data[rng.int(data.length)] = rng.int(256);
        if (rng.bool(0.5)) data = data.subarray(0, rng.int(data.length + 1));
      }
      const dir = tempDir();
      writeAof(dir, 'file appendonly.aof.1.incr.aof seq 1 type i\n', { 'appendonly.aof.1.incr.aof': data });
      const { s } = newServer(dir, { 'aof-load-truncated': rng.bool() ? 'yes' : 'no' });
      let ok = false;
      assert.doesNotThrow(() => {
        ok = loadAofAtStartup(s);
      });
      if (ok) {
        loaded++;
        if (kind === 0) checkPrefix(s, groups);
        for (let db = 1; db < s.ks.dbs.length; db++) assert.equal(s.ks.dbs[db].size, 0);
      } else {
        refused++;
        assert.equal(totalKeys(s), 0, 'a refused file left keys behind');
      }
      dispose(s);
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`# fuzz: ${rounds} files, ${loaded} loaded, ${refused} refused`);
    assert.ok(loaded > 0 && refused > 0);
  });
});

describe('writing', () => {
  async function started(extra: Record<string, string> = {}): Promise<{ s: Server; log: MemLogger; c: RespClient; dir: string }> {
    const dir = tempDir();
    const { s, log } = newServer(dir, extra);
    assert.equal(loadAofAtStartup(s), true);
    await s.listen();
    const c = await RespClient.connect({ host: '127.0.0.1', port: s.port, timeoutMs: 5000 });
    return { s, log, c, dir };
  }

  function incrText(dir: string): string {
    const d = join(dir, 'appendonlydir');
    const m = parseManifest(readFileSync(join(d, 'appendonly.aof.manifest'), 'latin1'));
    return readFileSync(join(d, m.incr[m.incr.length - 1].name), 'latin1');
  }

  test('commands reach the incr file before the reply; always = fsynced before the reply', async () => {
    const { s, c, dir } = await started({ appendfsync: 'always' });
    try {
      const st = aofStateOf(s);
      // Watch the server side of the connection: when a reply is handed to the
      // socket, the file must already hold the command, fsynced.
      await c.call('PING');
      const sc = [...s.clients.values()][0];
      const sock = sc.socket!;
      const orig = sock.write.bind(sock) as (...a: unknown[]) => boolean;
      const atReply: Array<{ text: string; written: number; fsynced: number }> = [];
      (sock as unknown as { write: (...a: unknown[]) => boolean }).write = (...a: unknown[]) => {
        atReply.push({ text: incrText(dir), written: st.incrWrittenBytes, fsynced: st.incrFsyncedBytes });
        return orig(...a);
      };
      for (let i = 0; i < 20; i++) {
        assert.equal(str(await c.call('SET', `k${i}`, `v${i}`)), 'OK');
        const seen = atReply[atReply.length - 1];
        assert.ok(seen.text.endsWith(resp('SET', `k${i}`, `v${i}`)), 'reply sent before the command reached the file');
        assert.equal(seen.fsynced, seen.written, 'reply sent before the fsync');
      }
      // A pipeline: every reply goes out after all of its commands are on disk.
      atReply.length = 0;
      await Promise.all([c.call('SET', 'p1', '1'), c.call('SET', 'p2', '2'), c.call('SET', 'p3', '3')]);
      assert.ok(atReply.length >= 1);
      assert.ok(atReply[0].text.includes(resp('SET', 'p1', '1')));
      (sock as unknown as { write: unknown }).write = orig;
      await c.call('SELECT', '5');
      await c.call('SET', 'x', 'y');
      await c.call('PUBLISH', 'ch', 'm');
      const t = incrText(dir);
      assert.ok(t.startsWith(resp('SELECT', '0')));
      assert.ok(t.endsWith(resp('SELECT', '5') + resp('SET', 'x', 'y')));
      // MULTI/EXEC as the dispatcher wraps it.
      await c.call('MULTI');
      await c.call('INCR', 'n');
      await c.call('INCR', 'n');
      await c.call('EXEC');
      assert.ok(incrText(dir).endsWith(resp('MULTI') + resp('INCR', 'n') + resp('INCR', 'n') + resp('EXEC')));
    } finally {
      c.destroy();
      dispose(s);
    }
  });

  test('aof-timestamp-enabled writes #TS annotations that load back', async () => {
    const { s, c, dir } = await started({ 'aof-timestamp-enabled': 'yes' });
    try {
      await c.call('SET', 'a', '1');
      const t = incrText(dir);
      assert.match(t, /^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
    } finally {
      c.destroy();
      dispose(s);
    }
    const { s: s2 } = newServer(dir);
    assert.equal(loadAofAtStartup(s2), true);
    assert.deepEqual(keysOf(s2), ['a']);
    dispose(s2);
  });

  test('BGREWRITEAOF: replies, new base and incr, history deleted, data reloads', async () => {
    const { s, c, dir } = await started();
    try {
      for (let i = 0; i < 2000; i++) c.call('SET', `k${i}`, 'x'.repeat(i % 50));
      await c.call('RPUSH', 'list', 'a', 'b');
      assert.equal(str(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
      assert.equal(str(await c.call('BGREWRITEAOF')), '-ERR Background append only file rewriting already in progress');
      await c.call('SET', 'after', '1');
      const st = aofStateOf(s);
      const deadline = Date.now() + 10000;
      while (st.rewriteInProgress && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(st.rewriteInProgress, false);
      assert.equal(st.rewrites, 1);
      // The history file (the old incr) is unlinked in the background, as Redis's
      // bio thread does: wait for it to go (seen still there right after the
      // rewrite on a loaded machine), then the directory holds exactly these.
      const expected = ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest'];
      const listing = (): string[] => readdirSync(join(dir, 'appendonlydir')).sort();
      await waitFor('the history file to be unlinked', () => listing().length === expected.length, 10000);
      assert.deepEqual(listing(), expected);
      assert.equal(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
      const info = new Map(aofInfoFields(s));
      assert.equal(info.get('aof_rewrites'), 1);
      assert.equal(info.get('aof_last_bgrewrite_status'), 'ok');
      assert.equal(info.get('aof_enabled'), 1);
      assert.ok((info.get('aof_base_size') as number) > 0);
      // Inside MULTI it is scheduled.
      await c.call('MULTI');
      await c.call('BGREWRITEAOF');
      const ex = await c.call('EXEC');
      assert.equal(ex.t === 'array' && ex.v ? str(ex.v[0]) : '', 'Background append only file rewriting scheduled');
    } finally {
      c.destroy();
      dispose(s);
    }
    const { s: s2 } = newServer(dir);
    assert.equal(loadAofAtStartup(s2), true);
    assert.equal(totalKeys(s2), 2002);
    dispose(s2);
  });

  test('CONFIG SET appendonly yes: temp incr, first base, then ON; appendonly no closes', async () => {
    const dir = tempDir();
    const { s, log } = newServer(dir, { appendonly: 'no' });
    assert.equal(loadAofAtStartup(s), true);
    await s.listen();
    const c = await RespClient.connect({ host: '127.0.0.1', port: s.port, timeoutMs: 5000 });
    try {
      await c.call('SET', 'before', '1');
      const st = aofStateOf(s);
      assert.equal(new Map(aofInfoFields(s)).get('aof_enabled'), 0);
      assert.equal(new Map(aofInfoFields(s)).has('aof_current_size'), false);
      assert.equal(str(await c.call('CONFIG', 'SET', 'appendonly', 'yes')), 'OK');
      assert.equal(st.enabled, true);
      await c.call('SET', 'during', '1');
      const deadline = Date.now() + 10000;
      while (st.rewriteInProgress && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(log.has('Creating AOF incr file temp-appendonly.aof.incr on background rewrite'));
      assert.equal(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      await c.call('SET', 'after', '1');
      assert.equal(str(await c.call('CONFIG', 'SET', 'appendonly', 'no')), 'OK');
      await c.call('SET', 'off', '1');
    } finally {
      c.destroy();
      s.close();
    }
    const { s: s2 } = newServer(dir);
    assert.equal(loadAofAtStartup(s2), true);
    assert.deepEqual(keysOf(s2), ['after', 'before', 'during']);
    dispose(s2);
  });

  test('auto-aof-rewrite-percentage / -min-size start a rewrite from the cron', async () => {
    const { s, log, c } = await started({ 'auto-aof-rewrite-min-size': '20kb', 'auto-aof-rewrite-percentage': '100', hz: '50' });
    try {
      const st = aofStateOf(s);
      assert.equal(st.rewrites, 0);
      for (let i = 0; i < 300; i++) c.call('SET', `k${i % 10}`, 'v'.repeat(100));
      await c.call('PING');
      const deadline = Date.now() + 10000;
      while (st.rewrites < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(st.rewrites, 1);
      assert.ok(log.lines.some((l) => /^Starting automatic rewriting of AOF on \d+% growth$/.test(l)), log.lines.join('\n'));
      // The base now holds 10 keys: far below the minimum size, no further rewrite.
      assert.ok(st.baseSize < 20 * 1024);
    } finally {
      c.destroy();
      dispose(s);
    }
  });

  test('BGREWRITEAOF during a BGSAVE is scheduled and starts when it ends', async () => {
    const { rdbStateOf } = await import('../../src/persistence/persistence.js');
    const { s, c } = await started({ hz: '50' });
    const rdbState = rdbStateOf(s);
    try {
      const st = aofStateOf(s);
      rdbState.bgsaveInProgress = true;
      assert.equal(str(await c.call('BGREWRITEAOF')), 'Background append only file rewriting scheduled');
      assert.equal(new Map(aofInfoFields(s)).get('aof_rewrite_scheduled'), 1);
      assert.equal(new Map(aofInfoFields(s)).get('aof_pending_rewrite'), 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(st.rewrites, 0);
      rdbState.bgsaveInProgress = false;
      const deadline = Date.now() + 10000;
      while (st.rewrites < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(st.rewrites, 1);
      assert.equal(st.rewriteScheduled, false);
    } finally {
      rdbState.bgsaveInProgress = false;
      c.destroy();
      dispose(s);
    }
  });

  test('restartAppendOnlyAfterLoad: a dataset replaced from outside (full sync) gets its own base', async () => {
    const { restartAppendOnlyAfterLoad } = await import('../../src/persistence/aof.js');
    const { s, c, dir } = await started();
    try {
      await c.call('SET', 'old', '1');
      // What a replica's full sync does: the keyspace is replaced without propagation.
      const db = s.ks.dbs[0];
      db.clear();
      const { RObj } = await import('../../src/types/object.js');
      db.add('new', new RObj(0, 'v', 0));
      assert.equal(restartAppendOnlyAfterLoad(s), true);
      await c.call('SET', 'streamed', '1');
      const st = aofStateOf(s);
      const deadline = Date.now() + 10000;
      while ((st.rewriteInProgress || st.rewrites < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(st.rewrites, 1);
    } finally {
      c.destroy();
      dispose(s);
    }
    const { s: s2 } = newServer(dir);
    assert.equal(loadAofAtStartup(s2), true);
    assert.deepEqual(keysOf(s2), ['new', 'streamed']);
    dispose(s2);
  });

  test('aof-use-rdb-preamble no: the base is commands', async () => {
    const { s, c, dir } = await started({ 'aof-use-rdb-preamble': 'no' });
    try {
      await c.call('HSET', 'h', 'f', 'v', 'g', 'w');
      await c.call('ZADD', 'z', '1.5', 'a', 'inf', 'b');
      await c.call('SADD', 's', 'm');
      await c.call('SET', 't', 'v', 'PX', '100000');
      await c.call('SELECT', '3');
      await c.call('RPUSH', 'l', 'x');
      assert.equal(str(await c.call('BGREWRITEAOF')), 'Background append only file rewriting started');
      const st = aofStateOf(s);
      const deadline = Date.now() + 10000;
      while (st.rewriteInProgress && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const base = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1');
      assert.ok(base.startsWith(resp('SELECT', '0')));
      assert.ok(base.includes(resp('ZADD', 'z', '1.5', 'a', 'inf', 'b')));
      assert.ok(base.includes('PEXPIREAT'));
    } finally {
      c.destroy();
      dispose(s);
    }
    const { s: s2 } = newServer(dir);
    assert.equal(loadAofAtStartup(s2), true);
    assert.deepEqual(keysOf(s2), ['h', 's', 't', 'z']);
    assert.deepEqual(keysOf(s2, 3), ['l']);
    assert.ok(s2.ks.dbs[0].getExpire('t') > Date.now());
    dispose(s2);
  });
});
