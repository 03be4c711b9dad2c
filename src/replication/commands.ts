// The replication commands' handlers (specs in src/commands/replication-commands.ts): REPLICAOF / SLAVEOF, ROLE, WAIT, WAITAOF, FAILOVER, and the
// internal REPLCONF, PSYNC and SYNC. The work is done in src/replication/.

import type { CommandTable } from '../commands/table.js';
import { intInRangeOrReply } from '../commands/lookup.js';
import { CLIENT_REPLICA, type Client } from '../server/client.js';
import { parseIntArg } from '../util/numbers.js';
import { replicationOf } from './index.js';
import { aofStateOf } from '../persistence/aof.js';

const WAIT_ON_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
const WAITAOF_ON_REPLICA =
  'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.';

/** REPLICAOF host port | NO ONE (and its old name SLAVEOF). */
function replicaofCommand(c: Client, argv: string[]): void {
  const s = c.server;
  if (s.mode === 'cluster') {
    c.addError('ERR REPLICAOF not allowed in cluster mode.');
    return;
  }
  const repl = replicationOf(s);
  if (repl.failover.state !== 'no-failover') {
    c.addError('ERR REPLICAOF not allowed while failing over.');
    return;
  }
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    if (repl.isReplica) {
      repl.unsetMaster();
      s.log.notice(`MASTER MODE enabled (user request from '${s.clientInfoLine(c)}')`);
    }
    c.addOk();
    return;
  }
  if (c.flags & CLIENT_REPLICA) {
    c.addError('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = parseIntArg(argv[2]);
  if (port === null || port < 0 || port > 65535) {
    c.addError('ERR Invalid master port');
    return;
  }
  const host = argv[1];
  if (repl.masterHost !== null && repl.masterHost.toLowerCase() === host.toLowerCase() && repl.masterPort === port) {
    s.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    c.addSimple('OK Already connected to specified master');
    return;
  }
  repl.setMaster(host, port);
  s.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${s.clientInfoLine(c)}')`);
  c.addOk();
}

function roleCommand(c: Client): void {
  replicationOf(c.server).role(c);
}

/** Redis's getTimeoutFromObjectOrReply in milliseconds: null after replying with the error. */
function parseTimeoutMs(c: Client, s: string): number | null {
  if (parseIntArg(s) === null) {
    c.addError('ERR timeout is not an integer or out of range');
    return null;
  }
  return intInRangeOrReply(c, s, 0, Infinity, 'ERR timeout is negative');
}

/** WAIT numreplicas timeout: replicas that acknowledged this client's last write. */
function waitCommand(c: Client, argv: string[]): void {
  const repl = replicationOf(c.server);
  if (repl.isReplica) {
    c.addError(WAIT_ON_REPLICA);
    return;
  }
  const numreplicas = parseIntArg(argv[1]);
  if (numreplicas === null) {
    c.addError('ERR value is not an integer or out of range');
    return;
  }
  const timeout = parseTimeoutMs(c, argv[2]);
  if (timeout === null) return;
  const woff = repl.clientWoff(c);
  const acked = repl.countAcks(woff, false);
  if (acked >= numreplicas || c.denyBlocking) {
    c.addInt(acked);
    return;
  }
  repl.block(c, { woff, numreplicas, numlocal: 0, aof: false }, timeout);
}

/** Redis's getPositiveLongFromObjectOrReply. */
function parsePositive(c: Client, s: string): number | null {
  return intInRangeOrReply(c, s, 0, Infinity, 'ERR value is out of range, must be positive');
}

/**
 * WAITAOF numlocal numreplicas timeout (7.2): [1 when the local AOF fsynced this
 * client's last write, replicas whose AOF did].
 */
function waitaofCommand(c: Client, argv: string[]): void {
  const s = c.server;
  const numlocal = parsePositive(c, argv[1]);
  if (numlocal === null) return;
  const numreplicas = parsePositive(c, argv[2]);
  if (numreplicas === null) return;
  const timeout = parseTimeoutMs(c, argv[3]);
  if (timeout === null) return;
  const repl = replicationOf(s);
  if (repl.isReplica) {
    c.addError(WAITAOF_ON_REPLICA);
    return;
  }
  let aofOn = false;
  try {
    aofOn = aofStateOf(s).enabled;
  } catch {
    /* no AOF on this server */
  }
  if (numlocal > 0 && !aofOn) {
    c.addError('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
    return;
  }
  const woff = repl.clientWoff(c);
  const local = repl.localAofAck(woff);
  const acked = repl.countAcks(woff, true);
  if ((local >= numlocal && acked >= numreplicas) || c.denyBlocking) {
    c.addArrayLen(2);
    c.addInt(local);
    c.addInt(acked);
    return;
  }
  repl.block(c, { woff, numreplicas, numlocal, aof: true }, timeout);
}

function replconfCommand(c: Client, argv: string[]): void {
  replicationOf(c.server).replconf(c, argv);
}

function syncCommand(c: Client, argv: string[]): void {
  replicationOf(c.server).sync(c, argv);
}

function failoverCommand(c: Client, argv: string[]): void {
  replicationOf(c.server).failover.command(c, argv);
}


/** Binds the handlers of these commands (specs in src/commands/) on a server's table. */
export function bindReplicationCommands(table: CommandTable): void {
  table.provideAll({
    role: roleCommand,
    wait: waitCommand,
    waitaof: waitaofCommand,
    replicaof: replicaofCommand,
    slaveof: replicaofCommand,
    replconf: replconfCommand,
    psync: syncCommand,
    sync: syncCommand,
    failover: failoverCommand,
  });
}
