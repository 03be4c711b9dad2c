// Two servers in one process share nothing: each has its own command table, phases,
// RDB/BGSAVE state, DEBUG subcommands, FLUSHALL hooks and encoding limits. Each check
// below failed while that state was module-level (one BGSAVE error made every server
// of the process refuse writes with MISCONF; each server added a FLUSHALL hook to a
// process-wide list).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { formatReply, type Reply } from '../../src/protocol/resp-client.js';
import { parseInfo } from '../../src/server/info.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const servers: InProcess[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function text(r: Reply): string {
  return formatReply(r);
}

async function two(configA: Record<string, string>, configB: Record<string, string>): Promise<[InProcess, InProcess]> {
  const a = await startInProcess({ config: configA });
  servers.push(a);
  const b = await startInProcess({ config: configB });
  servers.push(b);
  return [a, b];
}

async function info(ip: InProcess, section: string): Promise<Map<string, string>> {
  const r = await ip.client.call('INFO', section);
  assert.equal(r.t, 'bulk');
  return parseInfo(r.t === 'bulk' && r.v !== null ? r.v : '');
}

test('a failed BGSAVE makes its own server refuse writes (MISCONF), not the other one', async () => {
  const da = mkdtempSync(join(tmpdir(), 'cinnabar-two-a-'));
  const db = mkdtempSync(join(tmpdir(), 'cinnabar-two-b-'));
  dirs.push(da, db);
  const [a, b] = await two({ dir: da, save: '3600 1' }, { dir: db, save: '3600 1' });
  await a.client.call('SET', 'k', 'v');
  // A's directory disappears: its BGSAVE cannot create the temp file.
  rmSync(da, { recursive: true, force: true });
  await a.client.call('BGSAVE');
  await waitFor("A's BGSAVE to fail", async () => (await info(a, 'persistence')).get('rdb_last_bgsave_status') === 'err', 10_000);
  assert.match(text(await a.client.call('SET', 'k2', 'v')), /^\(error\) MISCONF/);
  assert.equal(text(await b.client.call('SET', 'k2', 'v')), '+OK');
  assert.equal((await info(b, 'persistence')).get('rdb_last_bgsave_status'), 'ok');
});

test('FLUSHALL with save points saves its own server once; the other server saves nothing', async () => {
  const da = mkdtempSync(join(tmpdir(), 'cinnabar-two-a-'));
  const db = mkdtempSync(join(tmpdir(), 'cinnabar-two-b-'));
  dirs.push(da, db);
  const [a, b] = await two({ dir: da, save: '3600 1' }, { dir: db, save: '3600 1' });
  await a.client.call('SET', 'k', 'v');
  assert.equal(text(await a.client.call('FLUSHALL')), '+OK');
  assert.equal((await info(a, 'persistence')).get('rdb_saves'), '1');
  assert.equal((await info(b, 'persistence')).get('rdb_saves'), '0');
  assert.ok(existsSync(join(da, 'dump.rdb')));
  assert.ok(!existsSync(join(db, 'dump.rdb')));
});

test('a handler bound or a phase registered on one server does not reach the other', async () => {
  const [a, b] = await two({}, {});
  a.server.commands.setHandler('echo', (c) => c.addSimple('ours'));
  const remove = a.server.phases.register('acl', (_c, spec) => (spec.name === 'get' ? 'NOPERM test phase' : null));
  try {
    assert.equal(text(await a.client.call('ECHO', 'x')), '+ours');
    assert.equal(text(await b.client.call('ECHO', 'x')), '"x"');
    assert.equal(text(await a.client.call('GET', 'k')), '(error) NOPERM test phase');
    assert.equal(text(await b.client.call('GET', 'k')), '(nil bulk)');
  } finally {
    remove();
  }
  // Both servers have their own DEBUG subcommands registered by their subsystems.
  assert.ok(a.server.debugSubcommands.has('reload') && b.server.debugSubcommands.has('reload'));
  assert.notEqual(a.server.debugSubcommands, b.server.debugSubcommands);
});
