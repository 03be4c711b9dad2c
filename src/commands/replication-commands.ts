// The replication commands' specs: REPLICAOF SLAVEOF ROLE WAIT WAITAOF REPLCONF PSYNC
// SYNC FAILOVER. Their handlers belong to the replication subsystem
// (src/replication/commands.ts, bound on each server's table).

import { cmd, type CommandFlag, type CommandSpec } from './table.js';

// Flags Redis gives these commands that CommandFlag does not list (no_async_loading).
const REPLICAOF_FLAGS = ['admin', 'noscript', 'stale', 'no_async_loading'] as unknown as CommandFlag[];
const SYNC_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as unknown as CommandFlag[];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
const WAIT_TIPS = ['request_policy:all_shards', 'response_policy:agg_min'];

export const COMMANDS: CommandSpec[] = [
  cmd('replicaof', 3, REPLICAOF_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '5.0.0',
    summary: 'Configures a server as replica of another, or promotes it to a master.',
    complexity: 'O(1)',
  }),
  cmd('slaveof', 3, REPLICAOF_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '1.0.0',
    summary: 'Sets a Redis server as a replica of another, or promotes it to being a master.',
    complexity: 'O(1)',
  }),
  cmd('role', 1, ['noscript', 'loading', 'stale', 'fast'], [0, 0, 0], 'server', ['admin', 'fast', 'dangerous'], undefined, {
    since: '2.8.12',
    summary: 'Returns the replication role.',
    complexity: 'O(1)',
  }),
  cmd('wait', 3, ['noscript'], [0, 0, 0], 'generic', ['slow', 'connection'], undefined, {
    since: '3.0.0',
    summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    complexity: 'O(1)',
    tips: WAIT_TIPS,
  }),
  cmd('waitaof', 4, ['noscript'], [0, 0, 0], 'generic', ['slow', 'connection'], undefined, {
    since: '7.2.0',
    summary: 'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.',
    complexity: 'O(1)',
    tips: WAIT_TIPS,
  }),
  cmd('replconf', -1, ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '3.0.0',
    summary: 'An internal command for configuring the replication stream.',
    complexity: 'O(1)',
  }),
  cmd('psync', -3, SYNC_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '2.8.0',
    summary: 'An internal command used in replication.',
  }),
  cmd('sync', 1, SYNC_FLAGS, [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '1.0.0',
    summary: 'An internal command used in replication.',
  }),
  cmd('failover', -1, ['admin', 'noscript', 'stale'], [0, 0, 0], 'server', ADMIN_ACL, undefined, {
    since: '6.2.0',
    summary: 'Starts a coordinated failover from a server to one of its replicas.',
    complexity: 'O(1)',
  }),
];
