// CLIENT: connection introspection and control. ID SETNAME GETNAME SETINFO LIST
// INFO KILL PAUSE UNPAUSE REPLY NO-EVICT NO-TOUCH UNBLOCK TRACKING TRACKINGINFO
// GETREDIR CACHING HELP.
//
// CLIENT LIST lines follow Redis 7.2's field order:
//   id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free
//   argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp
//   lib-name lib-ver
// Memory fields describe this implementation's buffers: qbuf is the unparsed query
// buffer, obl the reply bytes not yet handed to the socket, omem those plus the
// socket's pending bytes; rbs/rbp report that same reply buffer (there is no
// fixed-size one), tot-mem adds an estimate of the client's own structures.
//
// CLIENT TRACKING, TRACKINGINFO, GETREDIR and CACHING parse and check as Redis 7
// does; the tracking itself is server/tracking.ts.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import {
  CLIENT_ASKING,
  CLIENT_BLOCKED,
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_CLOSE_ASAP,
  CLIENT_DIRTY_CAS,
  CLIENT_MASTER,
  CLIENT_MONITOR,
  CLIENT_MULTI,
  CLIENT_NO_EVICT,
  CLIENT_NO_TOUCH,
  CLIENT_READONLY,
  CLIENT_REPLICA,
  CLIENT_REPLY_OFF,
  CLIENT_REPLY_SKIP,
  CLIENT_REPLY_SKIP_NEXT,
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_BROKEN_REDIR,
  CLIENT_TRACKING_CACHING,
  CLIENT_TRACKING_NOLOOP,
  CLIENT_TRACKING_OPTIN,
  CLIENT_TRACKING_OPTOUT,
} from './context.js';
import { parseIntArg } from '../util/numbers.js';
import { validClientName } from './connection.js';

void CLIENT_ASKING;

/** Estimated bytes of a Client object and its parser, without buffers. */
const CLIENT_STRUCT_BYTES = 1024;

const TYPE_NORMAL = 0;
const TYPE_REPLICA = 1;
const TYPE_PUBSUB = 2;
const TYPE_MASTER = 3;

/** Redis's getClientType: MONITOR clients count as normal. */
export function clientType(c: Client): number {
  if (c.flags & CLIENT_MASTER) return TYPE_MASTER;
  if (c.flags & CLIENT_REPLICA && !(c.flags & CLIENT_MONITOR)) return TYPE_REPLICA;
  if (c.subscriptionCount > 0) return TYPE_PUBSUB;
  return TYPE_NORMAL;
}

function clientTypeByName(name: string): number {
  switch (name.toLowerCase()) {
    case 'normal':
      return TYPE_NORMAL;
    case 'slave':
    case 'replica':
      return TYPE_REPLICA;
    case 'pubsub':
      return TYPE_PUBSUB;
    case 'master':
      return TYPE_MASTER;
    default:
      return -1;
  }
}

function isUnixSocket(c: Client): boolean {
  return c.socket !== null && !c.socket.remoteAddress;
}

function flagString(c: Client): string {
  const f = c.flags;
  let s = '';
  if (f & CLIENT_REPLICA || f & CLIENT_MONITOR) s += f & CLIENT_MONITOR ? 'O' : 'S';
  if (f & CLIENT_MASTER) s += 'M';
  if (c.subscriptionCount > 0) s += 'P';
  if (f & CLIENT_MULTI) s += 'x';
  if (f & CLIENT_BLOCKED) s += 'b';
  if (f & CLIENT_TRACKING) s += 't';
  if (f & CLIENT_TRACKING_BROKEN_REDIR) s += 'R';
  if (f & CLIENT_TRACKING_BCAST) s += 'B';
  if (f & CLIENT_DIRTY_CAS) s += 'd';
  if (f & CLIENT_CLOSE_AFTER_REPLY) s += 'c';
  if (f & CLIENT_CLOSE_ASAP) s += 'A';
  if (isUnixSocket(c)) s += 'U';
  if (f & CLIENT_READONLY) s += 'r';
  if (f & CLIENT_NO_EVICT) s += 'e';
  if (f & CLIENT_NO_TOUCH) s += 'T';
  return s === '' ? 'N' : s;
}

function socketFd(c: Client): number {
  if (c.fd !== -1 || c.socket === null) return c.fd;
  const h = (c.socket as unknown as { _handle?: { fd?: number } })._handle;
  if (h && typeof h.fd === 'number' && h.fd >= 0) c.fd = h.fd;
  return c.fd;
}

function argvBytes(argv: string[]): number {
  let n = 0;
  for (let i = 0; i < argv.length; i++) n += argv[i].length;
  return n;
}

/** The command's full name ("client|list") for CLIENT LIST's cmd field. */
function cmdName(c: Client): string {
  const spec = c.cmd ?? c.lastCmd;
  if (!spec) return 'NULL';
  return c.server.cmdFullNames.get(spec) ?? spec.name;
}

/** One CLIENT LIST line (without the trailing newline). Installed as server.clientInfoLine. */
export function clientInfoLine(c: Client): string {
  const now = Date.now();
  const qbuf = c.parser.pendingBytes;
  const qbufFree = Math.max(0, c.parser.bufferedBytes - qbuf);
  const argvMem = c.cmd ? argvBytes(c.argv) : 0;
  let multiMem = 0;
  if (c.multi) for (const q of c.multi.queue) multiMem += argvBytes(q.argv) + 8 * q.argv.length;
  const obl = c.out.length;
  const pendingSocket = c.socket ? c.socket.writableLength : 0;
  const omem = obl + pendingSocket;
  const totMem = CLIENT_STRUCT_BYTES + c.parser.bufferedBytes + argvMem + multiMem + omem;
  const multi = c.flags & CLIENT_MULTI && c.multi ? c.multi.queue.length : -1;
  const events = omem > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${socketFd(c)} name=${c.name}` +
    ` age=${Math.floor((now - c.ctime) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)}` +
    ` flags=${flagString(c)} db=${c.db.id} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size}` +
    ` multi=${multi} qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${obl} rbp=${Math.max(obl, c.lastMemory)} obl=${obl} oll=${pendingSocket > 0 ? 1 : 0} omem=${omem} tot-mem=${totMem}` +
    ` events=${events} cmd=${cmdName(c)} user=${c.user} redir=${c.server.tracking.redirectOf(c)} resp=${c.resp}` +
    ` lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

// ---- subcommands ------------------------------------------------------------------------

function clientId(c: Client): void {
  c.addInt(c.id);
}

function clientSetname(c: Client, argv: string[]): void {
  const name = argv[2];
  if (!validClientName(name)) {
    c.addError('ERR Client names cannot contain spaces, newlines or special characters.');
    return;
  }
  c.name = name;
  c.addOk();
}

function clientGetname(c: Client): void {
  if (c.name === '') c.addNull();
  else c.addBulk(c.name);
}

function clientSetinfo(c: Client, argv: string[]): void {
  const attr = argv[2];
  const val = argv[3];
  const a = attr.toLowerCase();
  if (a !== 'lib-name' && a !== 'lib-ver') {
    c.addError(`ERR Unrecognized option '${attr}'`);
    return;
  }
  if (!validClientName(val)) {
    c.addError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (a === 'lib-name') c.libName = val;
  else c.libVer = val;
  c.addOk();
}

function clientList(c: Client, argv: string[]): void {
  let type = -1;
  let ids: number[] | null = null;
  if (argv.length === 4 && argv[2].toLowerCase() === 'type') {
    type = clientTypeByName(argv[3]);
    if (type === -1) {
      c.addError(`ERR Unknown client type '${argv[3]}'`);
      return;
    }
  } else if (argv.length > 3 && argv[2].toLowerCase() === 'id') {
    ids = [];
    for (let i = 3; i < argv.length; i++) {
      const id = parseIntArg(argv[i]);
      if (id === null) {
        c.addError('ERR Invalid client ID');
        return;
      }
      ids.push(id);
    }
  } else if (argv.length !== 2) {
    c.addError('ERR syntax error');
    return;
  }
  let out = '';
  if (ids) {
    for (const id of ids) {
      const cl = c.server.clients.get(id);
      if (cl) out += clientInfoLine(cl) + '\n';
    }
  } else {
    for (const cl of c.server.clients.values()) {
      if (type !== -1 && clientType(cl) !== type) continue;
      out += clientInfoLine(cl) + '\n';
    }
  }
  c.addVerbatim(out);
}

function clientInfo(c: Client): void {
  c.addVerbatim(clientInfoLine(c) + '\n');
}

/** Closes a client killed by CLIENT KILL: at once for others, after the reply for the caller. */
function killClient(c: Client, victim: Client): void {
  if (victim === c) c.flags |= CLIENT_CLOSE_AFTER_REPLY;
  else c.server.closeClient(victim);
}

function clientKill(c: Client, argv: string[]): void {
  const s = c.server;
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port.
    for (const cl of s.clients.values()) {
      if (cl.addr === argv[2]) {
        s.log.verbose(`Killing client ${clientInfoLine(cl)}`);
        killClient(c, cl);
        c.addOk();
        return;
      }
    }
    c.addError('ERR No such client');
    return;
  }
  let id = -1;
  let type = -1;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let skipme = true;
  let maxage = -1;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const more = i + 1 < argv.length;
    if (!more) {
      c.addError('ERR syntax error');
      return;
    }
    const val = argv[i + 1];
    if (opt === 'id') {
      const n = parseIntArg(val);
      if (n === null || n < 1) {
        c.addError('ERR client-id should be greater than 0');
        return;
      }
      id = n;
    } else if (opt === 'type') {
      type = clientTypeByName(val);
      if (type === -1) {
        c.addError(`ERR Unknown client type '${val}'`);
        return;
      }
    } else if (opt === 'addr') {
      addr = val;
    } else if (opt === 'laddr') {
      laddr = val;
    } else if (opt === 'user') {
      if (!userExists(c, val)) {
        c.addError(`ERR No such user '${val}'`);
        return;
      }
      user = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v === 'yes') skipme = true;
      else if (v === 'no') skipme = false;
      else {
        c.addError('ERR syntax error');
        return;
      }
    } else if (opt === 'maxage') {
      const n = parseIntArg(val);
      if (n === null || n < 0) {
        c.addError('ERR syntax error');
        return;
      }
      maxage = n;
    } else {
      c.addError('ERR syntax error');
      return;
    }
  }
  const now = Date.now();
  let killed = 0;
  for (const cl of [...s.clients.values()]) {
    if (id !== -1 && cl.id !== id) continue;
    if (type !== -1 && clientType(cl) !== type) continue;
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (user !== null && cl.user !== user) continue;
    if (skipme && cl === c) continue;
    if (maxage !== -1 && (now - cl.ctime) / 1000 < maxage) continue;
    killClient(c, cl);
    killed++;
  }
  c.addInt(killed);
}

/** Whether an ACL user exists (only "default" until ACLs exist; an ACL subsystem may install `server.aclUserExists`). */
function userExists(c: Client, name: string): boolean {
  const hook = (c.server as unknown as { aclUserExists?: (n: string) => boolean }).aclUserExists;
  if (typeof hook === 'function') return hook.call(c.server, name);
  return name === 'default';
}

function clientPause(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const ms = parseIntArg(argv[2]);
  if (ms === null) {
    c.addError('ERR timeout is not an integer or out of range');
    return;
  }
  if (ms < 0) {
    c.addError('ERR timeout is negative');
    return;
  }
  let all = true;
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === 'write') all = false;
    else if (m !== 'all') {
      c.addError('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  c.server.pauseClients(ms, all);
  c.addOk();
}

function clientUnpause(c: Client): void {
  c.server.unpause();
  c.addOk();
}

function clientReply(c: Client, argv: string[]): void {
  const m = argv[2].toLowerCase();
  if (m === 'on') {
    c.flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF);
    c.addOk();
  } else if (m === 'off') {
    c.flags |= CLIENT_REPLY_OFF;
  } else if (m === 'skip') {
    if (!(c.flags & CLIENT_REPLY_OFF)) c.flags |= CLIENT_REPLY_SKIP_NEXT;
  } else {
    c.addError('ERR syntax error');
  }
}

function onOff(flag: number) {
  return (c: Client, argv: string[]): void => {
    const m = argv[2].toLowerCase();
    if (m === 'on') c.flags |= flag;
    else if (m === 'off') c.flags &= ~flag;
    else {
      c.addError('ERR syntax error');
      return;
    }
    c.addOk();
  };
}

function clientUnblock(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    subcommandSyntaxError(c, argv);
    return;
  }
  const id = parseIntArg(argv[2]);
  if (id === null) {
    c.addError('ERR value is not an integer or out of range');
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === 'error') withError = true;
    else if (m !== 'timeout') {
      c.addError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const target = c.server.clients.get(id);
  // Clients paused by CLIENT PAUSE are not blocked: only blocking commands can be unblocked.
  if (target && target.blocked && target.blocked.interruptible !== false && c.server.unblockByRequest(target, withError)) c.addInt(1);
  else c.addInt(0);
}

function clientTracking(c: Client, argv: string[]): void {
  const t = c.server.tracking;
  let redir = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const moreargs = argv.length - 1 - j;
    if (opt === 'redirect' && moreargs > 0) {
      j++;
      if (redir !== 0) {
        c.addError('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseIntArg(argv[j]);
      if (id === null) {
        c.addError('ERR value is not an integer or out of range');
        return;
      }
      if (!t.clientExists(id)) {
        c.addError('ERR The client ID you want redirect to does not exist');
        return;
      }
      redir = id;
    } else if (opt === 'bcast') options |= CLIENT_TRACKING_BCAST;
    else if (opt === 'optin') options |= CLIENT_TRACKING_OPTIN;
    else if (opt === 'optout') options |= CLIENT_TRACKING_OPTOUT;
    else if (opt === 'noloop') options |= CLIENT_TRACKING_NOLOOP;
    else if (opt === 'prefix' && moreargs > 0) prefixes.push(argv[++j]);
    else {
      c.addError('ERR syntax error');
      return;
    }
  }
  const mode = argv[2].toLowerCase();
  if (mode === 'on') {
    const bcast = (options & CLIENT_TRACKING_BCAST) !== 0;
    if (!bcast && prefixes.length > 0) {
      c.addError('ERR PREFIX option requires BCAST mode to be enabled');
      return;
    }
    if ((c.flags & CLIENT_TRACKING) !== 0 && ((c.flags & CLIENT_TRACKING_BCAST) !== 0) !== bcast) {
      c.addError(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
      return;
    }
    if (bcast && (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT)) !== 0) {
      c.addError('ERR OPTIN and OPTOUT are not compatible with BCAST');
      return;
    }
    if ((options & CLIENT_TRACKING_OPTIN) !== 0 && (options & CLIENT_TRACKING_OPTOUT) !== 0) {
      c.addError("ERR You can't specify both OPTIN mode and OPTOUT mode");
      return;
    }
    if (
      ((options & CLIENT_TRACKING_OPTIN) !== 0 && (c.flags & CLIENT_TRACKING_OPTOUT) !== 0) ||
      ((options & CLIENT_TRACKING_OPTOUT) !== 0 && (c.flags & CLIENT_TRACKING_OPTIN) !== 0)
    ) {
      c.addError(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
      return;
    }
    if (bcast) {
      const err = t.prefixCollision(c, prefixes);
      if (err !== null) {
        c.addError(err);
        return;
      }
    }
    t.enable(c, redir, options, prefixes);
  } else if (mode === 'off') {
    t.disable(c);
  } else {
    c.addError('ERR syntax error');
    return;
  }
  c.addOk();
}

function clientTrackinginfo(c: Client): void {
  const f = c.flags;
  const flags: string[] = [(f & CLIENT_TRACKING) !== 0 ? 'on' : 'off'];
  if (f & CLIENT_TRACKING_BCAST) flags.push('bcast');
  if (f & CLIENT_TRACKING_OPTIN) {
    flags.push('optin');
    if (f & CLIENT_TRACKING_CACHING) flags.push('caching-yes');
  }
  if (f & CLIENT_TRACKING_OPTOUT) {
    flags.push('optout');
    if (f & CLIENT_TRACKING_CACHING) flags.push('caching-no');
  }
  if (f & CLIENT_TRACKING_NOLOOP) flags.push('noloop');
  if (f & CLIENT_TRACKING_BROKEN_REDIR) flags.push('broken_redirect');
  c.addMapLen(3);
  c.addBulk('flags');
  c.addSetLen(flags.length);
  for (const x of flags) c.addBulk(x);
  c.addBulk('redirect');
  c.addInt(c.server.tracking.redirectOf(c));
  c.addBulk('prefixes');
  const prefixes = c.server.tracking.prefixesOf(c);
  c.addArrayLen(prefixes.length);
  for (const p of prefixes) c.addBulk(p);
}

function clientGetredir(c: Client): void {
  c.addInt(c.server.tracking.redirectOf(c));
}

function clientCaching(c: Client, argv: string[]): void {
  if ((c.flags & CLIENT_TRACKING) === 0) {
    c.addError('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  const m = argv[2].toLowerCase();
  if (m === 'yes') {
    if ((c.flags & CLIENT_TRACKING_OPTIN) === 0) {
      c.addError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (m === 'no') {
    if ((c.flags & CLIENT_TRACKING_OPTOUT) === 0) {
      c.addError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.addError('ERR syntax error');
    return;
  }
  c.flags |= CLIENT_TRACKING_CACHING;
  c.addOk();
}

const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
  'HELP',
  '    Prints this help.',
];

/** Redis's addReplySubcommandSyntaxError: a known subcommand called with the wrong arguments. */
export function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

/** Writes a HELP reply: an array of simple strings, as Redis's addReplyHelp does. */
export function addHelp(c: Client, lines: readonly string[]): void {
  c.addArrayLen(lines.length);
  for (const l of lines) c.addSimple(l);
}

const CONN = ['slow', 'connection'];
const CONN_ADMIN = ['admin', 'slow', 'dangerous', 'connection'];
const STD = ['noscript', 'loading', 'stale'] as const;
const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

export const COMMANDS: CommandSpec[] = [
  cmd('client', -2, [], [0, 0, 0], 'connection', ['slow'], undefined, {
    since: '2.4.0',
    summary: 'A container for client connection commands.',
    complexity: 'Depends on subcommand.',
    subcommands: [
      cmd('caching', 3, [...STD], [0, 0, 0], 'connection', CONN, clientCaching, { since: '6.0.0', summary: "Instructs the server whether to track the keys in the next request.", complexity: 'O(1)' }),
      cmd('getname', 2, [...STD], [0, 0, 0], 'connection', CONN, clientGetname, { since: '2.6.9', summary: 'Returns the name of the connection.', complexity: 'O(1)' }),
      cmd('getredir', 2, [...STD], [0, 0, 0], 'connection', CONN, clientGetredir, { since: '6.0.0', summary: 'Returns the client ID to which the connection\'s tracking notifications are redirected.', complexity: 'O(1)' }),
      cmd('help', 2, ['loading', 'stale'], [0, 0, 0], 'connection', CONN, (c) => addHelp(c, CLIENT_HELP), { since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)' }),
      cmd('id', 2, [...STD], [0, 0, 0], 'connection', CONN, clientId, { since: '5.0.0', summary: 'Returns the unique client ID of the connection.', complexity: 'O(1)' }),
      cmd('info', 2, [...STD], [0, 0, 0], 'connection', CONN, clientInfo, { since: '6.2.0', summary: 'Returns information about the connection.', complexity: 'O(1)' }),
      cmd('kill', -3, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, clientKill, { since: '2.4.0', summary: 'Terminates open connections.', complexity: 'O(N) where N is the number of client connections' }),
      cmd('list', -2, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, clientList, { since: '2.4.0', summary: 'Lists open connections.', complexity: 'O(N) where N is the number of client connections' }),
      cmd('no-evict', 3, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, onOff(CLIENT_NO_EVICT), { since: '7.0.0', summary: 'Sets the client eviction mode of the connection.', complexity: 'O(1)' }),
      cmd('no-touch', 3, [...STD], [0, 0, 0], 'connection', CONN, onOff(CLIENT_NO_TOUCH), { since: '7.2.0', summary: 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', complexity: 'O(1)' }),
      cmd('pause', -3, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, clientPause, { since: '3.0.0', summary: 'Suspends commands processing.', complexity: 'O(1)' }),
      cmd('reply', 3, [...STD], [0, 0, 0], 'connection', CONN, clientReply, { since: '3.2.0', summary: 'Instructs the server whether to reply to commands.', complexity: 'O(1)' }),
      cmd('setinfo', 4, [...STD], [0, 0, 0], 'connection', CONN, clientSetinfo, { since: '7.2.0', summary: 'Sets information specific to the client or connection.', complexity: 'O(1)' }),
      cmd('setname', 3, [...STD], [0, 0, 0], 'connection', CONN, clientSetname, { since: '2.6.9', summary: 'Sets the connection name.', complexity: 'O(1)' }),
      cmd('tracking', -3, [...STD], [0, 0, 0], 'connection', CONN, clientTracking, { since: '6.0.0', summary: 'Controls server-assisted client-side caching for the connection.', complexity: 'O(1). Some options may introduce additional complexity.' }),
      cmd('trackinginfo', 2, [...STD], [0, 0, 0], 'connection', CONN, clientTrackinginfo, { since: '6.2.0', summary: 'Returns information about server-assisted client-side caching for the connection.', complexity: 'O(1)' }),
      cmd('unblock', -3, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, clientUnblock, { since: '5.0.0', summary: 'Unblocks a client blocked by a blocking command from a different connection.', complexity: 'O(log N) where N is the number of client connections' }),
      cmd('unpause', 2, [...ADMIN], [0, 0, 0], 'connection', CONN_ADMIN, clientUnpause, { since: '6.2.0', summary: 'Resumes processing of clients that were paused.', complexity: 'O(N) Where N is the number of paused clients' }),
    ],
  }),
];
