// The command table of a server in sentinel mode: Redis Sentinel's commands (PING,
// SENTINEL, the pub/sub family, PUBLISH for hello messages, INFO with its sentinel
// section, ROLE, CLIENT, SHUTDOWN, AUTH, HELLO, COMMAND); anything else is an
// unknown command. Replies follow Redis 7's shapes: instance descriptions are maps
// (flat arrays in RESP2) with Redis's field names and order.

import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import { cmd, type CommandSpec } from '../commands/table.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { ALL_COMMANDS } from '../commands/index.js';
import { addHelp } from '../commands/client-command.js';
import { genInfo } from '../server/info.js';
import { globMatch } from '../util/glob.js';
import { parseIntArg } from '../util/numbers.js';
import { isExecutable } from './sentinel-conf.js';
import {
  CreateInstanceError,
  FAILOVER_STATE_NAMES,
  HELLO_CHANNEL,
  Instance,
  SRI_FAILOVER_IN_PROGRESS,
  SRI_FORCE_FAILOVER,
  SRI_MASTER,
  SRI_O_DOWN,
  SRI_S_DOWN,
  TIMING,
  TIMING_NAMES,
  flagsText,
  validHost,
} from './instance.js';
import { SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION, type Sentinel } from './sentinel.js';

const sentinels = new WeakMap<Server, Sentinel>();

export function registerSentinel(server: Server, s: Sentinel): void {
  sentinels.set(server, s);
}

function sentinelOf(c: Client): Sentinel {
  const s = sentinels.get(c.server);
  if (s === undefined) throw new Error('server is not in sentinel mode');
  return s;
}

const NO_SUCH_MASTER = 'ERR No such master with that name';

function masterOrError(c: Client, name: string): Instance | null {
  const m = sentinelOf(c).masters.get(name);
  if (m === undefined) {
    c.addError(NO_SUCH_MASTER);
    return null;
  }
  return m;
}

// ---- instance descriptions ----------------------------------------------------------------

/** SENTINEL MASTER / REPLICAS / SENTINELS: one instance as a map of its state. */
function addInstance(c: Client, ri: Instance): void {
  const now = Date.now();
  const link = ri.link;
  const f: Array<[string, string | number]> = [
    ['name', ri.name],
    ['ip', sentinelOf(c).announceHost(ri.addr)],
    ['port', ri.addr.port],
    ['runid', ri.runid ?? ''],
    ['flags', flagsText(ri)],
    ['link-pending-commands', link.pendingCommands],
    ['link-refcount', 1],
  ];
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) f.push(['failover-state', FAILOVER_STATE_NAMES[ri.failoverState]]);
  f.push(['last-ping-sent', link.actPingTime !== 0 ? now - link.actPingTime : 0]);
  f.push(['last-ok-ping-reply', now - link.lastAvailTime]);
  f.push(['last-ping-reply', now - link.lastPongTime]);
  if (ri.flags & SRI_S_DOWN) f.push(['s-down-time', now - ri.sDownSinceTime]);
  if (ri.flags & SRI_O_DOWN) f.push(['o-down-time', now - ri.oDownSinceTime]);
  f.push(['down-after-milliseconds', ri.downAfterMs]);
  if (ri.isMaster || ri.isSlave) {
    f.push(['info-refresh', ri.infoRefresh !== 0 ? now - ri.infoRefresh : 0]);
    f.push(['role-reported', ri.roleReported === SRI_MASTER ? 'master' : 'slave']);
    f.push(['role-reported-time', now - ri.roleReportedTime]);
  }
  if (ri.isMaster) {
    f.push(['config-epoch', ri.configEpoch]);
    f.push(['num-slaves', ri.slaves.size]);
    f.push(['num-other-sentinels', ri.sentinels.size]);
    f.push(['quorum', ri.quorum]);
    f.push(['failover-timeout', ri.failoverTimeout]);
    f.push(['parallel-syncs', ri.parallelSyncs]);
  }
  if (ri.isSlave) {
    f.push(['master-link-down-time', ri.masterLinkDownTime]);
    f.push(['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err']);
    f.push(['master-host', ri.slaveMasterHost ?? '?']);
    f.push(['master-port', ri.slaveMasterPort]);
    f.push(['slave-priority', ri.slavePriority]);
    f.push(['slave-repl-offset', ri.slaveReplOffset]);
    f.push(['replica-announced', ri.replicaAnnounced ? 1 : 0]);
  }
  if (ri.isSentinel) {
    f.push(['last-hello-message', now - ri.lastHelloTime]);
    f.push(['voted-leader', ri.leader ?? '?']);
    f.push(['voted-leader-epoch', ri.leaderEpoch]);
  }
  c.addMapLen(f.length);
  for (const [k, v] of f) {
    c.addBulk(k);
    c.addBulk(String(v));
  }
}

function addInstances(c: Client, list: Instance[]): void {
  c.addArrayLen(list.length);
  for (const ri of list) addInstance(c, ri);
}

// ---- SENTINEL subcommands -----------------------------------------------------------------

function sMasters(c: Client): void {
  addInstances(c, [...sentinelOf(c).masters.values()]);
}

function sMaster(c: Client, argv: string[]): void {
  const m = masterOrError(c, argv[2]);
  if (m) addInstance(c, m);
}

function sReplicas(c: Client, argv: string[]): void {
  const m = masterOrError(c, argv[2]);
  // Replicas configured with replica-announced no are not shown to clients.
  if (m) addInstances(c, [...m.slaves.values()].filter((s) => s.replicaAnnounced));
}

function sSentinels(c: Client, argv: string[]): void {
  const m = masterOrError(c, argv[2]);
  if (m) addInstances(c, [...m.sentinels.values()]);
}

function sGetMasterAddrByName(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = s.masters.get(argv[2]);
  if (m === undefined) {
    c.addNullArray();
    return;
  }
  const a = s.currentMasterAddress(m);
  c.addArrayLen(2);
  c.addBulk(s.announceHost(a));
  c.addBulk(String(a.port));
}

function sIsMasterDownByAddr(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const port = parseIntArg(argv[3]);
  const epoch = parseIntArg(argv[4]);
  if (port === null || epoch === null) {
    c.addError('ERR value is not an integer or out of range');
    return;
  }
  const m = s.findMasterByAddr(argv[2], port);
  const isDown = !s.tilt && m !== undefined && (m.flags & SRI_S_DOWN) !== 0;
  let leader: string | null = null;
  let leaderEpoch = 0;
  // A run id (not "*") asks for our vote in that epoch.
  if (m !== undefined && argv[5] !== '*') {
    const v = s.voteLeader(m, epoch, argv[5]);
    leader = v.leader;
    leaderEpoch = v.epoch;
  }
  c.addArrayLen(3);
  c.addInt(isDown ? 1 : 0);
  c.addBulk(leader ?? '*');
  c.addInt(leader !== null ? leaderEpoch : 0);
}

function sReset(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const pattern = argv[2];
  c.addInt(s.resetMastersMatching((name) => globMatch(pattern, name)));
}

function sFailover(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterOrError(c, argv[2]);
  if (!m) return;
  if (m.flags & SRI_FAILOVER_IN_PROGRESS) {
    c.addError('INPROG Failover already in progress');
    return;
  }
  if (s.selectSlave(m) === null) {
    c.addError('NOGOODSLAVE No suitable replica to promote');
    return;
  }
  c.server.log.warning(`Executing user requested FAILOVER of '${m.name}'`);
  s.startFailover(m);
  m.flags |= SRI_FORCE_FAILOVER;
  c.addOk();
}

function sCkquorum(c: Client, argv: string[]): void {
  const m = masterOrError(c, argv[2]);
  if (!m) return;
  const q = sentinelOf(c).quorumStatus(m);
  if (!q.noQuorum && !q.noAuth) {
    c.addSimple(`OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached`);
    return;
  }
  let e = `NOQUORUM ${q.usable} usable Sentinels. `;
  if (q.noQuorum) e += 'Not enough available Sentinels to reach the specified quorum for this master';
  if (q.noAuth) {
    if (q.noQuorum) e += '. ';
    e += 'Not enough available Sentinels to reach the majority and authorize a failover';
  }
  c.addError(e);
}

function sMonitor(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const quorum = parseIntArg(argv[5]);
  if (quorum === null) {
    c.addError('ERR Invalid quorum');
    return;
  }
  const port = parseIntArg(argv[4]);
  if (port === null) {
    c.addError('ERR Invalid port');
    return;
  }
  if (quorum <= 0) {
    c.addError('ERR Quorum must be 1 or greater.');
    return;
  }
  if (!validHost(argv[3], s.settings.resolveHostnames)) {
    c.addError(ERR_BAD_HOST);
    return;
  }
  if (isIP(argv[3]) === 0) {
    resolveThenMonitor(c, s, argv, port, quorum);
    return;
  }
  monitorResolved(c, s, argv, port, quorum, argv[3]);
}

const ERR_BAD_HOST = 'ERR Invalid IP address or hostname specified';
/** Bound on the lookup of a SENTINEL MONITOR hostname: past it, the name counts as unresolvable. */
const MONITOR_RESOLVE_TIMEOUT_MS = 10000;

/**
 * SENTINEL MONITOR of a hostname (resolve-hostnames yes): Redis resolves it
 * synchronously and refuses a name that does not resolve. Here the client waits
 * for dns.lookup (other clients are served meanwhile; CLIENT UNBLOCK cannot end
 * the wait), then the command goes on with the address, or is refused with
 * Redis's error.
 */
function resolveThenMonitor(c: Client, s: Sentinel, argv: string[], port: number, quorum: number): void {
  const host = argv[3];
  let outcome: string | null | undefined; // undefined: pending; null: failed; else the ip
  c.block({
    keys: [],
    timeoutAt: Date.now() + MONITOR_RESOLVE_TIMEOUT_MS,
    type: null,
    onTimeout: 'custom',
    interruptible: false,
    timeoutReply: (cc: Client) => {
      if (typeof outcome === 'string') monitorResolved(cc, s, argv, port, quorum, outcome);
      else {
        outcome = null;
        cc.addError(ERR_BAD_HOST);
      }
    },
  });
  const blocked = c.blocked;
  lookup(host, (err, address) => {
    if (outcome !== undefined) return; // timed out, or the client left
    outcome = err ? null : address;
    if (c.blocked === blocked && blocked !== null && c.server.clients.has(c.id)) c.server.unblockByRequest(c, false);
  });
}

function monitorResolved(c: Client, s: Sentinel, argv: string[], port: number, quorum: number, ip: string): void {
  let m: Instance;
  try {
    m = s.createMaster(argv[2], argv[3], port, quorum, ip);
  } catch (e) {
    if (e instanceof CreateInstanceError) {
      c.addError('ERR ' + e.message);
      return;
    }
    throw e;
  }
  s.flushConfig();
  s.event('warning', '+monitor', m, `quorum ${m.quorum}`);
  c.addOk();
}

function sRemove(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterOrError(c, argv[2]);
  if (!m) return;
  s.event('warning', '-monitor', m);
  s.removeMaster(m);
  s.flushConfig();
  c.addOk();
}

/** A SENTINEL SET / DEBUG value: a whole integer or null. */
function int(v: string): number | null {
  return parseIntArg(v);
}

function sSet(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const m = masterOrError(c, argv[2]);
  if (!m) return;
  let changes = 0;
  const bad = (value: string, option: string): void => {
    c.addError(`ERR Invalid argument '${value}' for SENTINEL SET '${option}'`);
  };
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = argv[j];
    const opt = option.toLowerCase();
    let shown: string[];
    if ((opt === 'down-after-milliseconds' || opt === 'failover-timeout' || opt === 'parallel-syncs' || opt === 'quorum') && more > 0) {
      const v = argv[++j];
      const n = int(v);
      if (n === null || n <= 0) {
        bad(v, option);
        break;
      }
      if (opt === 'down-after-milliseconds') {
        m.downAfterMs = n;
        s.propagateDownAfterPeriod(m);
      } else if (opt === 'failover-timeout') m.failoverTimeout = n;
      else if (opt === 'parallel-syncs') m.parallelSyncs = n;
      else m.quorum = n;
      shown = [option, v];
    } else if (opt === 'master-reboot-down-after-period' && more > 0) {
      const v = argv[++j];
      const n = int(v);
      if (n === null || n < 0) {
        bad(v, option);
        break;
      }
      m.masterRebootDownAfterPeriod = n;
      shown = [option, v];
    } else if ((opt === 'notification-script' || opt === 'client-reconfig-script') && more > 0) {
      const v = argv[++j];
      if (s.settings.denyScriptsReconfig) {
        c.addError(
          'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration',
        );
        break;
      }
      if (v !== '' && !isExecutable(v)) {
        c.addError(
          opt === 'notification-script' ? 'ERR Notification script seems non existing or non executable' : 'ERR Client reconfiguration script seems non existing or non executable',
        );
        break;
      }
      if (opt === 'notification-script') m.notificationScript = v === '' ? null : v;
      else m.clientReconfigScript = v === '' ? null : v;
      shown = [option, v];
    } else if ((opt === 'auth-pass' || opt === 'auth-user') && more > 0) {
      const v = argv[++j];
      if (opt === 'auth-pass') m.authPass = v === '' ? null : v;
      else m.authUser = v === '' ? null : v;
      // The new credentials are used from the next connection on.
      m.link.close();
      for (const r of m.slaves.values()) r.link.close();
      shown = [option, opt === 'auth-pass' ? '******' : v];
    } else if (opt === 'rename-command' && more > 1) {
      const from = argv[++j];
      const to = argv[++j];
      if (from === '' || to === '') {
        bad(from === '' ? from : to, option);
        break;
      }
      m.renameCommand(from, to);
      shown = [option, from, to];
    } else {
      c.addError(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
      break;
    }
    changes++;
    s.event('warning', '+set', m, shown.join(' '));
    if (j === argv.length - 1) {
      s.flushConfig();
      c.addOk();
      return;
    }
  }
  if (changes > 0) s.flushConfig();
}

const CONFIG_PARAMS = ['resolve-hostnames', 'announce-hostnames', 'announce-ip', 'announce-port', 'sentinel-user', 'sentinel-pass', 'loglevel'];

function configValue(s: Sentinel, name: string): string {
  const st = s.settings;
  switch (name) {
    case 'resolve-hostnames':
      return st.resolveHostnames ? 'yes' : 'no';
    case 'announce-hostnames':
      return st.announceHostnames ? 'yes' : 'no';
    case 'announce-ip':
      return st.announceIp;
    case 'announce-port':
      return String(st.announcePort);
    case 'sentinel-user':
      return st.sentinelUser ?? '';
    case 'sentinel-pass':
      return st.sentinelPass ?? '';
    default:
      return s.server.log.level;
  }
}

const CONFIG_USAGE = 'ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.';

/**
 * SENTINEL CONFIG GET <pattern> [pattern ...] / SET <param> <value> [param value ...]
 * (several pairs and the loglevel parameter as in 7.2). All pairs are checked
 * before any is applied.
 */
function sConfig(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const sub = argv[2].toLowerCase();
  if (sub === 'get' && argv.length >= 4) {
    const names = CONFIG_PARAMS.filter((p) => argv.slice(3).some((pat) => globMatch(pat, p, true)));
    c.addMapLen(names.length);
    for (const n of names) {
      c.addBulk(n);
      c.addBulk(configValue(s, n));
    }
    return;
  }
  if (sub !== 'set' || argv.length < 5 || (argv.length - 3) % 2 !== 0) {
    c.addError(CONFIG_USAGE);
    return;
  }
  const apply: Array<() => void> = [];
  const st = s.settings;
  for (let i = 3; i < argv.length; i += 2) {
    const name = argv[i].toLowerCase();
    const v = argv[i + 1];
    const invalid = (): void => c.addError(`ERR Invalid value '${v}' to SENTINEL CONFIG SET '${name}'`);
    if (name === 'resolve-hostnames' || name === 'announce-hostnames') {
      const l = v.toLowerCase();
      if (l !== 'yes' && l !== 'no') return invalid();
      if (name === 'resolve-hostnames') apply.push(() => (st.resolveHostnames = l === 'yes'));
      else apply.push(() => (st.announceHostnames = l === 'yes'));
    } else if (name === 'announce-ip') {
      apply.push(() => (st.announceIp = v));
    } else if (name === 'announce-port') {
      const n = int(v);
      if (n === null || n < 0 || n > 65535) return invalid();
      apply.push(() => (st.announcePort = n));
    } else if (name === 'sentinel-user') {
      apply.push(() => (st.sentinelUser = v === '' ? null : v));
    } else if (name === 'sentinel-pass') {
      apply.push(() => (st.sentinelPass = v === '' ? null : v));
    } else if (name === 'loglevel') {
      const l = v.toLowerCase();
      if (!['debug', 'verbose', 'notice', 'warning', 'nothing'].includes(l)) return invalid();
      apply.push(() => {
        s.server.log.level = l as typeof s.server.log.level;
      });
    } else {
      c.addError(`ERR Invalid argument '${argv[i]}' to SENTINEL CONFIG SET`);
      return;
    }
  }
  for (const f of apply) f();
  s.flushConfig();
  c.addOk();
}

function sDebug(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    c.addMapLen(TIMING_NAMES.length);
    for (const [name, key] of TIMING_NAMES) {
      c.addBulk(name);
      c.addBulk(String(TIMING[key]));
    }
    return;
  }
  const updates: Array<[keyof typeof TIMING, number]> = [];
  for (let i = 2; i < argv.length; i += 2) {
    const entry = TIMING_NAMES.find(([n]) => n === argv[i].toUpperCase());
    if (entry === undefined || i + 1 >= argv.length) {
      c.addError(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${argv[i]}'`);
      return;
    }
    const n = int(argv[i + 1]);
    if (n === null || n <= 0) {
      c.addError(`ERR Invalid argument '${argv[i + 1]}' for SENTINEL DEBUG '${argv[i]}'`);
      return;
    }
    updates.push([entry[1], n]);
  }
  for (const [k, v] of updates) TIMING[k] = v;
  c.addOk();
}

function sInfoCache(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const list: Instance[] = [];
  for (const name of argv.slice(2)) {
    const m = s.masters.get(name);
    if (m !== undefined && !list.includes(m)) list.push(m);
  }
  const now = Date.now();
  c.addArrayLen(list.length * 2);
  for (const m of list) {
    c.addBulk(m.name);
    const all = [m, ...m.slaves.values()];
    c.addArrayLen(all.length);
    for (const ri of all) {
      c.addArrayLen(2);
      c.addInt(now - ri.infoRefresh);
      if (ri.info !== '') c.addBulk(ri.info);
      else c.addNull();
    }
  }
}

function sSimulateFailure(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  s.simFailureFlags = 0;
  for (const a of argv.slice(2)) {
    const l = a.toLowerCase();
    if (l === 'crash-after-election') {
      s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_ELECTION;
      c.server.log.warning('Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (l === 'crash-after-promotion') {
      s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
      c.server.log.warning('Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (l === 'help') {
      c.addArrayLen(2);
      c.addBulk('crash-after-election');
      c.addBulk('crash-after-promotion');
      return;
    } else {
      c.addError('ERR Unknown failure simulation specified');
      return;
    }
  }
  c.addOk();
}

const SENTINEL_HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  '    Check if the master specified by ip:port is down from current Sentinel\'s',
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  '    Remove master from Sentinel\'s monitor list.',
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Prints this help.',
];

// ---- other commands -------------------------------------------------------------------------

const SENTINEL_INFO_SECTIONS = ['server', 'clients', 'stats', 'cpu'];

/** The sentinel section of INFO. */
export function sentinelInfoSection(s: Sentinel): string {
  let out =
    `sentinel_masters:${s.masters.size}\r\n` +
    `sentinel_tilt:${s.tilt ? 1 : 0}\r\n` +
    `sentinel_tilt_since_seconds:${s.tilt ? Math.floor((Date.now() - s.tiltStartTime) / 1000) : -1}\r\n` +
    'sentinel_running_scripts:0\r\n' +
    'sentinel_scripts_queue_length:0\r\n' +
    `sentinel_simulate_failure_flags:${s.simFailureFlags}\r\n`;
  let i = 0;
  for (const m of s.masters.values()) {
    const status = m.flags & SRI_O_DOWN ? 'odown' : m.flags & SRI_S_DOWN ? 'sdown' : 'ok';
    out += `master${i++}:name=${m.name},status=${status},address=${s.announceHost(m.addr)}:${m.addr.port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}\r\n`;
  }
  return out;
}

/** INFO in sentinel mode: the server, clients, stats, cpu and sentinel sections only. */
function info(c: Client, argv: string[]): void {
  const s = sentinelOf(c);
  const req = argv.slice(1).map((a) => a.toLowerCase());
  const all = req.length === 0 || req.some((r) => r === 'default' || r === 'all' || r === 'everything');
  const base = all ? SENTINEL_INFO_SECTIONS : SENTINEL_INFO_SECTIONS.filter((n) => req.includes(n));
  let out = base.length > 0 ? genInfo(c.server, base) : '';
  if (all || req.includes('sentinel')) {
    if (out !== '') out += '\r\n';
    out += '# Sentinel\r\n' + sentinelInfoSection(s);
  }
  c.addVerbatim(out);
}

function role(c: Client): void {
  const s = sentinelOf(c);
  c.addArrayLen(2);
  c.addBulk('sentinel');
  c.addArrayLen(s.masters.size);
  for (const name of s.masters.keys()) c.addBulk(name);
}

/** PUBLISH to a sentinel delivers a hello message (how sentinels reach each other directly). */
function publish(c: Client, argv: string[]): void {
  if (argv[1] !== HELLO_CHANNEL) {
    c.addError('ERR Only HELLO messages are accepted by Sentinel instances.');
    return;
  }
  sentinelOf(c).processHello(argv[2]);
  c.addInt(1);
}

// ---- the table --------------------------------------------------------------------------

const ADMIN_FLAGS = ['admin'] as const;
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

function sub(name: string, arity: number, handler: (c: Client, argv: string[]) => void, summary: string): CommandSpec {
  return cmd(name, arity, [...ADMIN_FLAGS], [0, 0, 0], 'sentinel', ADMIN_ACL, handler, { since: '2.8.4', summary });
}

const SENTINEL_SPEC = cmd('sentinel', -2, ['admin'], [0, 0, 0], 'sentinel', ADMIN_ACL, undefined, {
  since: '2.8.4',
  summary: 'A container for Redis Sentinel commands.',
  complexity: 'Depends on subcommand.',
  subcommands: [
    sub('ckquorum', 3, sCkquorum, 'Checks for a Redis Sentinel quorum.'),
    sub('config', -3, sConfig, 'Configures Redis Sentinel.'),
    sub('debug', -2, sDebug, 'Lists or updates the current configurable parameters of Redis Sentinel.'),
    sub('failover', 3, sFailover, 'Forces a Redis Sentinel failover.'),
    sub('flushconfig', 2, (c) => {
      sentinelOf(c).flushConfig();
      c.addOk();
    }, 'Rewrites the Redis Sentinel configuration file.'),
    sub('get-master-addr-by-name', 3, sGetMasterAddrByName, 'Returns the port and address of a master Redis instance.'),
    cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'sentinel', ['slow'], (c) => addHelp(c, SENTINEL_HELP), { since: '6.2.0', summary: 'Returns helpful text about the different subcommands.' }),
    sub('info-cache', -3, sInfoCache, 'Returns the cached INFO replies from the deployment\'s instances.'),
    sub('is-master-down-by-addr', 6, sIsMasterDownByAddr, 'Determines whether a master Redis instance is down.'),
    sub('master', 3, sMaster, 'Returns the state of a master Redis instance.'),
    sub('masters', 2, sMasters, 'Returns a list of monitored Redis primaries.'),
    sub('monitor', 6, sMonitor, 'Starts monitoring.'),
    sub('myid', 2, (c) => c.addBulk(sentinelOf(c).myid), 'Returns the Redis Sentinel instance ID.'),
    sub('pending-scripts', 2, (c) => c.addArrayLen(0), 'Returns information about pending scripts for Redis Sentinel.'),
    sub('remove', 3, sRemove, 'Stops monitoring.'),
    sub('replicas', 3, sReplicas, 'Returns a list of the monitored Redis replicas.'),
    sub('reset', 3, sReset, 'Resets Redis primaries by name matching a pattern.'),
    sub('sentinels', 3, sSentinels, 'Returns a list of Sentinel instances.'),
    sub('set', -5, sSet, 'Changes the configuration of a monitored Redis primary.'),
    sub('simulate-failure', -3, sSimulateFailure, 'Simulates failover scenarios.'),
    sub('slaves', 3, sReplicas, 'Returns a list of the monitored replicas.'),
  ],
});

/** Commands shared with the normal table, by name. */
const SHARED = ['ping', 'shutdown', 'psubscribe', 'punsubscribe', 'subscribe', 'unsubscribe', 'client', 'hello', 'auth', 'command', 'acl'];

/** The command table of a server in sentinel mode. */
export function sentinelCommandTable(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const name of SHARED) {
    const spec = ALL_COMMANDS.find((s) => s.name === name);
    if (spec !== undefined) out.push(spec);
  }
  out.push(
    SENTINEL_SPEC,
    cmd('info', -1, ['loading', 'stale'], [0, 0, 0], 'server', ['slow', 'dangerous'], info, { summary: 'Returns information and statistics about the server.', tips: ['nondeterministic_output'] }),
    cmd('role', 1, ['noscript', 'loading', 'stale', 'fast'], [0, 0, 0], 'server', ['admin', 'fast', 'dangerous'], role, { since: '2.8.12', summary: 'Returns the replication role.' }),
    cmd('publish', 3, ['pubsub', 'loading', 'stale', 'fast'], [0, 0, 0], 'pubsub', ['pubsub', 'fast'], publish, { since: '2.0.0', summary: 'Posts a message to a channel.' }),
  );
  return out;
}
