// The named execution phases: the order is PHASE_ORDER whoever registers first, a
// phase of a subsystem runs at its place between the server's own, EXEC repeats the
// phases registered for it on every queued command, and a rejection counts as
// rejected_calls and dooms a MULTI, as Redis's rejectCommand does.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { PHASE_ORDER, Phases, TAKEN, runPhases } from '../../src/server/phases.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import { formatReply } from '../../src/protocol/resp-client.js';
import { parseInfo } from '../../src/server/info.js';
import { rdbStateOf } from '../../src/persistence/persistence.js';
import { aofStateOf } from '../../src/persistence/aof.js';

test('checks run in PHASE_ORDER, and in registration order inside one phase', () => {
  const ph = new Phases();
  const ran: string[] = [];
  const mk = (tag: string) => () => {
    ran.push(tag);
    return null;
  };
  ph.register('multi-queue', mk('multi-queue'));
  ph.register('auth', mk('auth'));
  ph.register('readonly', mk('readonly-1'));
  ph.register('cluster', mk('cluster'));
  const removeSecond = ph.register('readonly', mk('readonly-2'));
  ph.register('protected', mk('protected'), { exec: true });
  assert.deepEqual(ph.names(), ['protected', 'auth', 'cluster', 'readonly', 'readonly', 'multi-queue']);
  const dummy = undefined as never;
  assert.equal(runPhases(ph.all, dummy, dummy, [], 0), null);
  assert.deepEqual(ran, ['protected', 'auth', 'cluster', 'readonly-1', 'readonly-2', 'multi-queue']);
  removeSecond();
  assert.deepEqual(ph.names(), ['protected', 'auth', 'cluster', 'readonly', 'multi-queue']);
  assert.equal(ph.exec.length, 1);
  // Every name of the order is distinct, and the list starts with the checks Redis makes first.
  assert.equal(new Set(PHASE_ORDER).size, PHASE_ORDER.length);
  assert.deepEqual(PHASE_ORDER.slice(0, 3), ['protected', 'auth', 'no-multi']);
});

test('the first verdict wins; TAKEN stops without an error', () => {
  const ph = new Phases();
  ph.register('oom', () => 'OOM first');
  ph.register('pause', () => TAKEN);
  const dummy = undefined as never;
  assert.equal(runPhases(ph.all, dummy, dummy, [], 0), 'OOM first');
  const ph2 = new Phases();
  ph2.register('pause', () => TAKEN);
  assert.equal(runPhases(ph2.all, dummy, dummy, [], 0), TAKEN);
});

let ip: InProcess;
before(async () => {
  ip = await startInProcess();
});
after(() => ip?.close());

async function call(...argv: string[]): Promise<string> {
  return formatReply(await ip.client.call(...argv));
}

test('a server has its own phases in order, and a subsystem phase runs at its place', async () => {
  // The usual state: no maxmemory, no pause, no failed save; those checks are off.
  assert.deepEqual(ip.server.phases.names(), ['protected', 'auth', 'no-multi', 'pubsub-context', 'multi-queue']);
  // An 'acl' check (the ACL issue will register one) runs after auth and before queueing.
  const remove = ip.server.phases.register('acl', (_c, spec) => (spec.name === 'get' ? 'NOPERM this user has no permissions to run the \'get\' command' : null));
  try {
    assert.equal(await call('GET', 'k'), "(error) NOPERM this user has no permissions to run the 'get' command");
    const r = await ip.client.call('INFO', 'commandstats');
    const stats = parseInfo(r.t === 'bulk' && r.v !== null ? r.v : '');
    assert.match(stats.get('cmdstat_get') ?? '', /rejected_calls=1/);
    // Inside MULTI the check runs before queueing: the transaction is doomed.
    assert.equal(await call('MULTI'), '+OK');
    assert.match(await call('GET', 'k'), /NOPERM/);
    assert.equal(await call('SET', 'k', 'v'), '+QUEUED');
    assert.equal(await call('EXEC'), '(error) EXECABORT Transaction discarded because of previous errors.');
  } finally {
    remove();
  }
  assert.equal(await call('GET', 'k'), '(nil bulk)');
});

test('the switched checks come on at their place with their state, and go off with it', async () => {
  const names = (): string[] => ip.server.phases.names();
  assert.equal(await call('CONFIG', 'SET', 'maxmemory', '1gb'), '+OK');
  assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'oom', 'pubsub-context', 'multi-queue']);
  assert.equal(await call('CLIENT', 'PAUSE', '60000', 'WRITE'), '+OK');
  assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'oom', 'pubsub-context', 'pause', 'multi-queue']);
  assert.equal(await call('CLIENT', 'UNPAUSE'), '+OK');
  assert.equal(await call('CONFIG', 'SET', 'maxmemory', '0'), '+OK');
  assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'pubsub-context', 'multi-queue']);
  // A failed BGSAVE turns on RDB's MISCONF check, a failed AOF write AOF's, in the
  // order they were registered (RDB first, as Redis reports the RDB error first).
  const rdb = rdbStateOf(ip.server);
  const aof = aofStateOf(ip.server);
  aof.lastWriteOk = false;
  rdb.lastBgsaveOk = false;
  try {
    assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'misconf', 'misconf', 'pubsub-context', 'multi-queue']);
    aof.lastWriteOk = true;
    assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'misconf', 'pubsub-context', 'multi-queue']);
  } finally {
    rdb.lastBgsaveOk = true;
    aof.lastWriteOk = true;
  }
  assert.deepEqual(names(), ['protected', 'auth', 'no-multi', 'pubsub-context', 'multi-queue']);
});

test('EXEC runs the exec phases on each queued command; a refused one gets its error in the reply', async () => {
  assert.equal(await call('MULTI'), '+OK');
  assert.equal(await call('SET', 'a', '1'), '+QUEUED');
  assert.equal(await call('GET', 'a'), '+QUEUED');
  assert.equal(await call('SET', 'b', '2'), '+QUEUED');
  // Registered after queueing, as ACL rules changed between MULTI and EXEC would be.
  const remove = ip.server.phases.register('acl', (_c, spec) => (spec.name === 'get' ? 'NOPERM rules changed' : null), { exec: true });
  try {
    assert.equal(await call('EXEC'), '[+OK, (error) NOPERM rules changed, +OK]');
  } finally {
    remove();
  }
  assert.equal(await call('GET', 'b'), '"2"');
});
