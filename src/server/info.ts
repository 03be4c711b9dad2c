// INFO: the report of the server's state, section by section, with Redis 7.2's
// section names, field names and field order.
//
// Sections: server clients memory persistence stats replication cpu modules
// commandstats errorstats latencystats cluster keyspace. `INFO` alone (or
// `default`) gives every section except commandstats and latencystats; `all` adds
// them; `everything` also adds the sections subsystems register. Several section
// names may be given (7.0+); the output keeps the canonical order.
//
// Subsystems that own a section's numbers (persistence, replication, cluster)
// replace the built-in text with setInfoSection(server, name, fn).
//
// Node specifics, so the numbers can be read honestly:
//  - used_memory is accounted, as zmalloc counts Redis's allocations (see
//    keyspace/eviction.ts): used_memory_startup (the heap when the server was
//    composed) + the dataset as the size model charges it + client buffers + the
//    replication backlog. It moves as keys are written and deleted, not as the GC
//    runs. used_memory_rss is the process RSS (V8's reserved heap, code, Node's own
//    allocations); v8_heap_used, v8_heap_total and v8_external_memory (ours, after
//    Redis's fields) are V8's own readings, garbage included.
//  - allocator_* fields report V8's view: allocated = heap used + external, active =
//    heap committed, resident = RSS. mem_allocator is "v8".
//  - used_cpu_*_main_thread are the process totals: Node does not expose the main
//    thread's own times on Node 20.
//  - latencystats: each command's latency-tracking percentiles (commands/latency.ts).

import { latencyPercentiles } from '../commands/latency.js';
import os from 'node:os';
import v8 from 'node:v8';
import { resolve } from 'node:path';
import type { Server } from './server.js';
import { VERSION, CINNABAR_VERSION } from './server.js';
import { CLIENT_MASTER, CLIENT_REPLICA, CLIENT_MONITOR, type Client } from './client.js';
import { memoryTracker, evictor, KEY_OVERHEAD, EXPIRE_OVERHEAD, type MemoryOverheads } from '../keyspace/eviction.js';

export type InfoSectionFn = (s: Server) => string;

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
];
const TITLES: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

interface InfoState {
  overrides: Map<string, InfoSectionFn>;
  /** Extra sections (title -> generator) shown with `everything` or by name. */
  extra: Map<string, { title: string; fn: InfoSectionFn }>;
  replId: string;
  buildId: string;
}

const states = new WeakMap<Server, InfoState>();

function state(s: Server): InfoState {
  let st = states.get(s);
  if (!st) {
    st = {
      overrides: new Map(),
      extra: new Map(),
      replId: s.runId.split('').reverse().join(''),
      buildId: Buffer.from(`cinnabar-${CINNABAR_VERSION}`).toString('hex').slice(0, 15),
    };
    states.set(s, st);
  }
  return st;
}

/** Figures the replication subsystem reports in INFO stats and memory. */
export interface ReplicationInfoFigures {
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
  replInputBytes: number;
  replOutputBytes: number;
  backlogBytes: number;
}

const NO_REPL_FIGURES: ReplicationInfoFigures = { syncFull: 0, syncPartialOk: 0, syncPartialErr: 0, replInputBytes: 0, replOutputBytes: 0, backlogBytes: 0 };
const replFigures = new WeakMap<Server, () => ReplicationInfoFigures>();

/** Installed by the replication subsystem. */
export function setReplicationInfoFigures(s: Server, fn: () => ReplicationInfoFigures): void {
  replFigures.set(s, fn);
}

function replicationFigures(s: Server): ReplicationInfoFigures {
  const fn = replFigures.get(s);
  return fn ? fn() : NO_REPL_FIGURES;
}

const migrateSockets = new WeakMap<Server, () => number>();

/** Installed by the cluster subsystem's MIGRATE: the connections it keeps open (INFO migrate_cached_sockets). */
export function setMigrateCachedSockets(s: Server, fn: () => number): void {
  migrateSockets.set(s, fn);
}

/** Replaces a built-in section's body (lines "field:value\r\n"), or adds a new section. */
export function setInfoSection(s: Server, name: string, fn: InfoSectionFn, title?: string): void {
  const st = state(s);
  const n = name.toLowerCase();
  if (TITLES[n] !== undefined) st.overrides.set(n, fn);
  else st.extra.set(n, { title: title ?? name, fn });
}

/** The primary's replication id shown by INFO until the replication subsystem provides one. */
export function replicationId(s: Server): string {
  return state(s).replId;
}

/** DEBUG CHANGE-REPL-ID: a new random replication id. */
export function changeReplicationId(s: Server): void {
  let id = '';
  for (let i = 0; i < 40; i++) id += '0123456789abcdef'[Math.floor(Math.random() * 16)];
  state(s).replId = id;
}

export { bytesToHuman } from '../util/format.js';
import { bytesToHuman } from '../util/format.js';

function lines(fields: Array<[string, string | number]>): string {
  let out = '';
  for (const [k, v] of fields) out += k + ':' + v + '\r\n';
  return out;
}

// ---- sections ---------------------------------------------------------------------------

function serverSection(s: Server): string {
  const st = state(s);
  const now = Date.now();
  const uptime = Math.floor((now - s.startTime) / 1000);
  const hz = s.config.getNumber('hz');
  const fields: Array<[string, string | number]> = [
    ['redis_version', VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', st.buildId],
    ['redis_mode', s.mode],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', s.runId],
    ['tcp_port', s.port || s.config.getNumber('port')],
    ['server_time_usec', now * 1000 + (Math.floor(performance.now() * 1000) % 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', Math.max(1, Math.min(500, hz))],
    ['configured_hz', hz],
    ['lru_clock', s.ks.lruClock()],
    ['executable', process.argv[1] ? resolve(process.argv[1]) : process.execPath],
    ['config_file', s.config.file ?? ''],
    ['io_threads_active', 0],
  ];
  let i = 0;
  if (s.port) {
    const binds = s.config.getList('bind');
    fields.push([`listener${i++}`, `name=tcp,${binds.map((b) => 'bind=' + b).join(',')},port=${s.port}`]);
  }
  if (s.unixPath) fields.push([`listener${i++}`, `name=unix,bind=${s.unixPath}`]);
  fields.push(['cinnabar_version', CINNABAR_VERSION], ['node_version', process.version]);
  return lines(fields);
}

function clientsSection(s: Server): string {
  let replicas = 0;
  let pubsub = 0;
  // The peaks the clients cron saw over the last seconds (server.ts, clientsCron).
  const maxIn = Math.max(...s.clientsPeakIn);
  const maxOut = Math.max(...s.clientsPeakOut);
  let inTimeoutTable = 0;
  for (const c of s.clients.values()) {
    if (c.flags & CLIENT_REPLICA && !(c.flags & CLIENT_MONITOR)) replicas++;
    if (c.subscriptionCount > 0) pubsub++;
    if (c.blocked && c.blocked.timeoutAt > 0) inTimeoutTable++;
  }
  return lines([
    ['connected_clients', s.clients.size - replicas],
    ['cluster_connections', 0],
    ['maxclients', s.config.getNumber('maxclients')],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', s.blockedClients],
    ['tracking_clients', s.tracking.trackingClients],
    ['pubsub_clients', pubsub],
    ['watching_clients', s.watchingClients],
    ['clients_in_timeout_table', inTimeoutTable],
    ['total_watched_keys', s.watchedKeysCount],
    ['total_blocking_keys', s.blockingKeyCount()],
    ['total_blocking_keys_on_nokey', 0],
  ]);
}

/** Memory held by client buffers (query buffers, pending replies, socket queues). */
/** A client's own structures, as CLIENT LIST's tot-mem counts them besides its buffers. */
export const CLIENT_STRUCT_BYTES = 1024;

/** What a client holds: its structures, query buffer, MULTI queue and pending replies (CLIENT LIST tot-mem, client eviction). */
export function clientMemory(c: Client): number {
  return CLIENT_STRUCT_BYTES + c.parser.bufferedBytes + (c.multi !== null ? c.multi.bytes : 0) + c.out.length + (c.socket ? c.socket.writableLength : 0);
}

export function clientsMemory(s: Server): { normal: number; replicas: number } {
  let normal = 0;
  let replicas = 0;
  for (const c of s.clients.values()) {
    const m = c.parser.bufferedBytes + c.out.length + (c.socket ? c.socket.writableLength : 0);
    if (c.flags & (CLIENT_REPLICA | CLIENT_MASTER) && !(c.flags & CLIENT_MONITOR)) replicas += m;
    else normal += m;
  }
  return { normal, replicas };
}

/** Counts client buffers and the backlog into the memory accounting (server.countMemoryOverheads). */
export function countMemoryOverheads(s: Server, into: MemoryOverheads): void {
  const cm = clientsMemory(s);
  into.clientsNormal = cm.normal;
  into.clientsReplicas = cm.replicas;
  into.backlog = replicationFigures(s).backlogBytes;
}

/** Estimated bookkeeping bytes of the databases (per-key overhead, not values). */
export function dbOverhead(s: Server): { main: number; expires: number; total: number } {
  let main = 0;
  let expires = 0;
  for (const db of s.ks.dbs) {
    main += db.dict.size * KEY_OVERHEAD;
    expires += db.expires.size * EXPIRE_OVERHEAD;
  }
  return { main, expires, total: main + expires };
}

function pct(a: number, b: number): string {
  return b > 0 ? ((a * 100) / b).toFixed(2) + '%' : '0.00%';
}

export type { MemoryFigures } from '../commands/context.js';
import type { MemoryFigures } from '../commands/context.js';

export function memoryFigures(s: Server): MemoryFigures {
  const mem = memoryTracker(s);
  s.ks.settle();
  mem.refresh();
  const used = mem.used();
  const rss = process.memoryUsage.rss();
  const dbo = dbOverhead(s);
  const overhead = Math.min(used, mem.startup + mem.clientsNormal + mem.queued + mem.clientsReplicas + mem.backlog + dbo.total);
  const h = v8.getHeapStatistics();
  return {
    used,
    rss,
    peak: mem.peak,
    startup: mem.startup,
    overhead,
    dataset: Math.max(0, used - overhead),
    heapTotal: h.total_heap_size,
    heapUsed: h.used_heap_size,
    external: h.external_memory,
    notCountedForEvict: mem.notCountedForEvict(),
    clientsNormal: mem.clientsNormal + mem.queued,
    clientsReplicas: mem.clientsReplicas,
    dbMain: dbo.main,
    dbExpires: dbo.expires,
  };
}

function memorySection(s: Server): string {
  const m = memoryFigures(s);
  const maxmemory = s.config.getNumber('maxmemory');
  const total = os.totalmem();
  const frag = m.used > 0 ? m.rss / m.used : 0;
  return lines([
    ['used_memory', m.used],
    ['used_memory_human', bytesToHuman(m.used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', m.peak],
    ['used_memory_peak_human', bytesToHuman(m.peak)],
    ['used_memory_peak_perc', pct(m.used, m.peak)],
    ['used_memory_overhead', m.overhead],
    ['used_memory_startup', m.startup],
    ['used_memory_dataset', m.dataset],
    ['used_memory_dataset_perc', pct(m.dataset, m.used - m.startup)],
    ['allocator_allocated', m.heapUsed + m.external],
    ['allocator_active', m.heapTotal],
    ['allocator_resident', m.rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', s.config.getString('maxmemory-policy')],
    ['allocator_frag_ratio', (m.heapUsed > 0 ? m.heapTotal / m.heapUsed : 0).toFixed(2)],
    ['allocator_frag_bytes', Math.max(0, m.heapTotal - m.heapUsed)],
    ['allocator_rss_ratio', (m.heapTotal > 0 ? m.rss / m.heapTotal : 0).toFixed(2)],
    ['allocator_rss_bytes', m.rss - m.heapTotal],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', frag.toFixed(2)],
    ['mem_fragmentation_bytes', m.rss - m.used],
    ['mem_not_counted_for_evict', m.notCountedForEvict],
    ['mem_replication_backlog', replicationFigures(s).backlogBytes],
    ['mem_total_replication_buffers', m.clientsReplicas],
    ['mem_clients_slaves', m.clientsReplicas],
    ['mem_clients_normal', m.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'v8'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', s.ks.lazyfree.pendingObjects],
    ['lazyfreed_objects', s.ks.lazyfree.freedObjects],
    ['v8_heap_used', m.heapUsed],
    ['v8_heap_total', m.heapTotal],
    ['v8_external_memory', m.external],
  ]);
}

/** Replaced by persistence/persistence.ts (installPersistence), which owns the figures. */
function persistenceSection(_s: Server): string {
  return 'loading:0\r\n';
}

function statsSection(s: Server): string {
  const st = s.stats;
  const ks = s.ks.stats;
  const ev = evictor(s);
  const exceededNow = ev && ev.exceededSince ? Date.now() - ev.exceededSince : 0;
  return lines([
    ['total_connections_received', st.connectionsReceived],
    ['total_commands_processed', st.commandsProcessed],
    ['instantaneous_ops_per_sec', st.instantaneousOps],
    ['total_net_input_bytes', st.netInput],
    ['total_net_output_bytes', st.netOutput],
    ['total_net_repl_input_bytes', replicationFigures(s).replInputBytes],
    ['total_net_repl_output_bytes', replicationFigures(s).replOutputBytes],
    ['instantaneous_input_kbps', st.instantaneousInputKbps.toFixed(2)],
    ['instantaneous_output_kbps', st.instantaneousOutputKbps.toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', replicationFigures(s).syncFull],
    ['sync_partial_ok', replicationFigures(s).syncPartialOk],
    ['sync_partial_err', replicationFigures(s).syncPartialErr],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', ks.expiredStalePerc.toFixed(2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReached],
    ['expire_cycle_cpu_milliseconds', Math.floor(ks.expireCycleUs / 1000)],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', st.evictedClients],
    ['total_eviction_exceeded_time', (ev ? ev.exceededTotalMs : 0) + exceededNow],
    ['current_eviction_exceeded_time', exceededNow],
    ['keyspace_hits', ks.hits],
    ['keyspace_misses', ks.misses],
    ['pubsub_channels', s.pubsub.channels.size],
    ['pubsub_patterns', s.pubsub.patterns.size],
    ['pubsubshard_channels', s.pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', migrateSockets.get(s)?.() ?? 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', s.tracking.totalKeys],
    ['tracking_total_items', s.tracking.totalItemsCount],
    ['tracking_total_prefixes', s.tracking.totalPrefixes],
    ['unexpected_error_replies', st.unexpectedErrorReplies],
    ['total_error_replies', st.errorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', st.totalReads],
    ['total_writes_processed', st.totalWrites],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['client_query_buffer_limit_disconnections', st.queryBufferLimitDisconnections],
    ['client_output_buffer_limit_disconnections', st.outputBufferLimitDisconnections],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
    ['eventloop_cycles', 0],
    ['eventloop_duration_sum', 0],
    ['eventloop_duration_cmd_sum', 0],
    ['instantaneous_eventloop_cycles_per_sec', 0],
    ['instantaneous_eventloop_duration_usec', 0],
    ['acl_access_denied_auth', s.authFailures],
    ['acl_access_denied_cmd', s.aclDenied.cmd],
    ['acl_access_denied_key', s.aclDenied.key],
    ['acl_access_denied_channel', s.aclDenied.channel],
  ]);
}

function replicationSection(s: Server): string {
  return lines([
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', state(s).replId],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', s.config.getNumber('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ]);
}

function cpuSection(): string {
  const u = process.cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  return lines([
    ['used_cpu_sys', sys],
    ['used_cpu_user', user],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', sys],
    ['used_cpu_user_main_thread', user],
  ]);
}

function commandstatsSection(s: Server): string {
  let out = '';
  for (const [name, st] of s.cmdStats) {
    if (st.calls === 0 && st.failed === 0 && st.rejected === 0) continue;
    const per = st.calls > 0 ? (st.usec / st.calls).toFixed(2) : '0.00';
    out += `cmdstat_${name}:calls=${st.calls},usec=${st.usec},usec_per_call=${per},rejected_calls=${st.rejected},failed_calls=${st.failed}\r\n`;
  }
  return out;
}

/** latency_percentiles_usec_<command>:p50=..,p99=..,p99.9=.. for each command with a latency histogram. */
function latencystatsSection(s: Server): string {
  // As Redis: nothing while latency-tracking is off (the histograms are kept).
  if (!s.config.getBool('latency-tracking')) return '';
  const percentiles = s.config.getList('latency-tracking-info-percentiles');
  let out = '';
  for (const [name, st] of s.cmdStats) {
    if (st.hist === undefined || st.hist.total === 0) continue;
    out += `latency_percentiles_usec_${name}:${latencyPercentiles(st.hist, percentiles)}\r\n`;
  }
  return out;
}

function errorstatsSection(s: Server): string {
  let out = '';
  // Redis keeps the codes in a radix tree: they are listed in byte order.
  const codes = [...s.errorStats.keys()].sort();
  for (const code of codes) out += `errorstat_${code}:count=${s.errorStats.get(code)}\r\n`;
  return out;
}

function clusterSection(s: Server): string {
  return `cluster_enabled:${s.mode === 'cluster' ? 1 : 0}\r\n`;
}

function keyspaceSection(s: Server): string {
  let out = '';
  for (const db of s.ks.dbs) {
    if (db.dict.size === 0) continue;
    out += `db${db.id}:keys=${db.dict.size},expires=${db.expires.size},avg_ttl=${Math.round(db.avgTtl)}\r\n`;
  }
  return out;
}

function builtin(s: Server, name: string): string {
  switch (name) {
    case 'server':
      return serverSection(s);
    case 'clients':
      return clientsSection(s);
    case 'memory':
      return memorySection(s);
    case 'persistence':
      return persistenceSection(s);
    case 'stats':
      return statsSection(s);
    case 'replication':
      return replicationSection(s);
    case 'cpu':
      return cpuSection();
    case 'commandstats':
      return commandstatsSection(s);
    case 'errorstats':
      return errorstatsSection(s);
    case 'cluster':
      return clusterSection(s);
    case 'keyspace':
      return keyspaceSection(s);
    case 'latencystats':
      return latencystatsSection(s);
    default:
      return ''; // modules
  }
}

/**
 * The INFO text for the requested section names (lower or upper case); none means
 * the default sections.
 */
export function genInfo(s: Server, requested: string[]): string {
  const st = state(s);
  const want = new Set<string>();
  let everything = false;
  if (requested.length === 0) for (const n of DEFAULT_SECTIONS) want.add(n);
  for (const r of requested) {
    const n = r.toLowerCase();
    if (n === 'default') for (const d of DEFAULT_SECTIONS) want.add(d);
    else if (n === 'all') for (const d of ALL_SECTIONS) want.add(d);
    else if (n === 'everything') {
      everything = true;
      for (const d of ALL_SECTIONS) want.add(d);
    } else want.add(n);
  }
  let out = '';
  let count = 0;
  for (const name of ALL_SECTIONS) {
    if (!want.has(name)) continue;
    if (count++ > 0) out += '\r\n';
    const fn = st.overrides.get(name);
    out += `# ${TITLES[name]}\r\n` + (fn ? fn(s) : builtin(s, name));
  }
  for (const [name, x] of st.extra) {
    if (!everything && !want.has(name)) continue;
    if (count++ > 0) out += '\r\n';
    out += `# ${x.title}\r\n` + x.fn(s);
  }
  return out;
}

/** Parses an INFO text into a map of field -> value (for tests and tools). */
export function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}
