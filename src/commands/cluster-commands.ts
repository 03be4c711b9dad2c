// The specs of the cluster commands: CLUSTER and its subcommands, READONLY,
// READWRITE, ASKING, RESTORE-ASKING, and MIGRATE, which moves keys between servers.
// Their handlers belong to the cluster subsystem (src/cluster/, bound on each
// server's table), since they read the cluster state or talk to another server;
// the table loads without it. The flags, arity and ACL categories are redis-server
// 7.0's (COMMAND INFO); the summaries are 7.2's; MYSHARDID is new in 7.2.

import { cmd, type CommandFlag, type CommandSpec } from './table.js';

// Redis flags these no_async_loading (and RESTORE-ASKING asking), flags CommandFlag
// does not list; COMMAND INFO reports them (command-info.ts FLAG_ORDER).
const ADMIN_FLAGS = ['admin', 'stale', 'no_async_loading'] as unknown as CommandFlag[];
const ADMIN_STALE: CommandFlag[] = ['admin', 'stale'];
const STALE: CommandFlag[] = ['stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
const SLOW = ['slow'];
const ND = ['nondeterministic_output'];
const NONE: [number, number, number] = [0, 0, 0];

function sub(name: string, arity: number, flags: CommandFlag[], acl: string[], since: string, summary: string, complexity: string, tips?: string[]): CommandSpec {
  return cmd(name, arity, flags, NONE, 'cluster', acl, undefined, { since, summary, complexity, tips });
}

export const COMMANDS: CommandSpec[] = [
  cmd('migrate', -6, ['write'], [3, 3, 1], 'generic', ['keyspace', 'write', 'slow', 'dangerous'], undefined, {
    since: '2.6.0',
    summary: 'Atomically transfers a key from one Redis instance to another.',
    complexity:
      'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    tips: ['nondeterministic_output'],
  }),
  cmd('cluster', -2, [], NONE, 'cluster', SLOW, undefined, {
    since: '3.0.0',
    summary: 'A container for Redis Cluster commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('addslots', -3, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Assigns new hash slots to a node.', 'O(N) where N is the total number of hash slot arguments'),
      sub('addslotsrange', -4, ADMIN_FLAGS, ADMIN_ACL, '7.0.0', 'Assigns new hash slot ranges to a node.', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.'),
      sub('bumpepoch', 2, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Advances the cluster config epoch.', 'O(1)', ND),
      sub('count-failure-reports', 3, ADMIN_STALE, ADMIN_ACL, '3.0.0', 'Returns the number of active failure reports active for a node.', 'O(N) where N is the number of failure reports', ND),
      sub('countkeysinslot', 3, STALE, SLOW, '3.0.0', 'Returns the number of keys in a hash slot.', 'O(1)'),
      sub('delslots', -3, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Sets hash slots as unbound for a node.', 'O(N) where N is the total number of hash slot arguments'),
      sub('delslotsrange', -4, ADMIN_FLAGS, ADMIN_ACL, '7.0.0', 'Sets hash slot ranges as unbound for a node.', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.'),
      sub('failover', -2, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Forces a replica to perform a manual failover of its master.', 'O(1)'),
      sub('flushslots', 2, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Deletes all slots information from a node.', 'O(1)'),
      sub('forget', 3, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Removes a node from the nodes table.', 'O(1)'),
      sub('getkeysinslot', 4, STALE, SLOW, '3.0.0', 'Returns the key names in a hash slot.', 'O(log(N)) where N is the number of requested keys', ND),
      sub('help', 2, ['loading', 'stale'], SLOW, '5.0.0', 'Returns helpful text about the different subcommands.', 'O(1)'),
      sub('info', 2, STALE, SLOW, '3.0.0', 'Returns information about the state of a node.', 'O(1)', ND),
      sub('keyslot', 3, STALE, SLOW, '3.0.0', 'Returns the hash slot for a key.', 'O(N) where N is the number of bytes in the key'),
      sub('links', 2, STALE, SLOW, '7.0.0', 'Returns a list of all TCP links to and from peer nodes.', 'O(N) where N is the total number of Cluster nodes', ND),
      sub('meet', -4, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Forces a node to handshake with another node.', 'O(1)'),
      sub('myid', 2, STALE, SLOW, '3.0.0', 'Returns the ID of a node.', 'O(1)'),
      sub('myshardid', 2, STALE, SLOW, '7.2.0', 'Returns the shard ID of a node.', 'O(1)', ND),
      sub('nodes', 2, STALE, SLOW, '3.0.0', 'Returns the cluster configuration for a node.', 'O(N) where N is the total number of Cluster nodes', ND),
      sub('replicas', 3, ADMIN_STALE, ADMIN_ACL, '5.0.0', 'Lists the replica nodes of a master node.', 'O(1)', ND),
      sub('replicate', 3, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Configure a node as replica of a master node.', 'O(1)'),
      sub('reset', -2, ['admin', 'noscript', 'stale'], ADMIN_ACL, '3.0.0', 'Resets a node.', 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.'),
      sub('saveconfig', 2, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Forces a node to save the cluster configuration to disk.', 'O(1)'),
      sub('set-config-epoch', 3, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Sets the configuration epoch for a new node.', 'O(1)'),
      sub('setslot', -4, ADMIN_FLAGS, ADMIN_ACL, '3.0.0', 'Binds a hash slot to a node.', 'O(1)'),
      sub('shards', 2, STALE, SLOW, '7.0.0', 'Returns the mapping of cluster slots to shards.', 'O(N) where N is the total number of cluster nodes', ND),
      sub('slaves', 3, ADMIN_STALE, ADMIN_ACL, '3.0.0', 'Lists the replica nodes of a master node.', 'O(1)', ND),
      sub('slots', 2, STALE, SLOW, '3.0.0', 'Returns the mapping of cluster slots to nodes.', 'O(N) where N is the total number of Cluster nodes', ND),
      // Atomic slot migration (Cinnabar, Valkey 9's shape; src/cluster/slot-migration.ts).
      sub('migrateslots', -7, ADMIN_FLAGS, ADMIN_ACL, '9.0.0', 'Migrates slot ranges to another primary as one operation.', 'O(N) where N is the total number of the slots between all start slot and end slot arguments.'),
      sub('cancelslotmigrations', 2, ADMIN_FLAGS, ADMIN_ACL, '9.0.0', 'Cancels the slot migrations in progress from this node.', 'O(N), where N is the number of active slot export jobs.'),
      sub('getslotmigrations', 2, ADMIN_STALE, ADMIN_ACL, '9.0.0', 'Returns the in-progress and recently finished slot migrations.', 'O(N), where N is the number of active slot import and export jobs.', ND),
      sub('syncslots', -3, ADMIN_FLAGS, ADMIN_ACL, '9.0.0', 'An internal command of atomic slot migration.', 'Depends on subcommand.'),
    ],
  }),
  cmd('readonly', 1, ['loading', 'stale', 'fast'], NONE, 'cluster', ['fast', 'connection'], undefined, {
    since: '3.0.0',
    summary: 'Enables read-only queries for a connection to a Redis Cluster replica node.',
    complexity: 'O(1)',
  }),
  // "Reids": 7.2's summary as redis-server reports it, typo included.
  cmd('readwrite', 1, ['loading', 'stale', 'fast'], NONE, 'cluster', ['fast', 'connection'], undefined, {
    since: '3.0.0',
    summary: 'Enables read-write queries for a connection to a Reids Cluster replica node.',
    complexity: 'O(1)',
  }),
  cmd('asking', 1, ['fast'], NONE, 'cluster', ['fast', 'connection'], undefined, {
    since: '3.0.0',
    summary: 'Signals that a cluster client is following an -ASK redirect.',
    complexity: 'O(1)',
  }),
  cmd('restore-asking', -4, ['write', 'denyoom', 'asking'] as unknown as CommandFlag[], [1, 1, 1], 'server', ['keyspace', 'write', 'slow', 'dangerous'], undefined, {
    since: '3.0.0',
    summary: 'An internal command for migrating keys in a cluster.',
    complexity:
      'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    tips: undefined,
  }),
];
