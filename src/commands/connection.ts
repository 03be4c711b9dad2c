// Connection commands: PING ECHO QUIT HELLO AUTH SELECT RESET.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import {
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_MONITOR,
  CLIENT_MULTI,
  CLIENT_DIRTY_CAS,
  CLIENT_DIRTY_EXEC,
  CLIENT_NO_EVICT,
  CLIENT_NO_TOUCH,
  CLIENT_REPLY_OFF,
  CLIENT_REPLY_SKIP,
  CLIENT_REPLY_SKIP_NEXT,
  CLIENT_READONLY,
  CLIENT_ASKING,
} from './context.js';
import { VERSION } from '../util/version.js';
import { parseIntArg } from '../util/numbers.js';

const CONN = ['connection'];

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.addError("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (c.resp === 2 && c.subscriptionCount > 0) {
    c.addArrayLen(2);
    c.addBulk('pong');
    c.addBulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.addBulk(argv[1]);
  else c.addSimple('PONG');
}

/** Checks a username/password pair against the server's users (the ACL's, or requirepass's default user). */
export function checkPassword(c: Client, user: string, pass: string): boolean {
  return c.server.authenticate(c, user, pass);
}

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.addError('ERR syntax error');
    return;
  }
  c.redactArgument(1);
  c.redactArgument(2);
  let user = 'default';
  let pass: string;
  if (argv.length === 2) {
    pass = argv[1];
    if (c.server.defaultUserNopass()) {
      c.addError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      return;
    }
  } else {
    user = argv[1];
    pass = argv[2];
  }
  if (checkPassword(c, user, pass)) {
    c.authenticated = true;
    c.user = user;
    c.addOk();
  } else {
    c.server.authFailures++;
    c.addError(WRONGPASS);
  }
}

/** The HELLO reply map (server, version, proto, id, mode, role, modules). */
export function writeHelloMap(c: Client): void {
  c.addMapLen(7);
  c.addBulk('server');
  c.addBulk('redis');
  c.addBulk('version');
  c.addBulk(VERSION);
  c.addBulk('proto');
  c.addInt(c.resp);
  c.addBulk('id');
  c.addInt(c.id);
  c.addBulk('mode');
  c.addBulk(c.server.mode);
  c.addBulk('role');
  c.addBulk(c.server.role);
  c.addBulk('modules');
  c.addArrayLen(0);
}

function hello(c: Client, argv: string[]): void {
  let ver = 0;
  let i = 1;
  if (argv.length >= 2) {
    const v = parseIntArg(argv[1]);
    if (v === null) {
      c.addError('ERR Protocol version is not an integer or out of range');
      return;
    }
    ver = v;
    i = 2;
    if (ver < 2 || ver > 3) {
      c.addError('NOPROTO unsupported protocol version');
      return;
    }
  }
  let authUser: string | null = null;
  let authPass = '';
  let setName: string | null = null;
  for (; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const left = argv.length - i - 1;
    if (opt === 'auth' && left >= 2) {
      c.redactArgument(i + 1);
      c.redactArgument(i + 2);
      authUser = argv[i + 1];
      authPass = argv[i + 2];
      i += 2;
    } else if (opt === 'setname' && left >= 1) {
      setName = argv[i + 1];
      i += 1;
    } else {
      c.addError(`ERR Syntax error in HELLO option '${argv[i]}'`);
      return;
    }
  }
  if (authUser !== null) {
    if (!checkPassword(c, authUser, authPass)) {
      c.server.authFailures++;
      c.addError(WRONGPASS);
      return;
    }
    c.authenticated = true;
    c.user = authUser;
  }
  if (!c.authenticated) {
    c.addError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
    return;
  }
  if (setName !== null) {
    if (!validClientName(setName)) {
      c.addError('ERR Client names cannot contain spaces, newlines or special characters.');
      return;
    }
    c.name = setName;
  }
  if (ver !== 0) c.resp = ver as 2 | 3;
  writeHelloMap(c);
}

/** Client names may not contain spaces, newlines or characters outside '!'..'~'. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function select(c: Client, argv: string[]): void {
  const id = parseIntArg(argv[1]);
  if (id === null || id > 2147483647 || id < -2147483648) {
    c.addError('ERR value is not an integer or out of range');
    return;
  }
  if (c.server.mode === 'cluster' && id !== 0) {
    c.addError('ERR SELECT is not allowed in cluster mode');
    return;
  }
  if (id < 0 || id >= c.server.ks.dbs.length) {
    c.addError('ERR DB index is out of range');
    return;
  }
  c.db = c.server.ks.dbs[id];
  c.addOk();
}

function quit(c: Client): void {
  c.addOk();
  c.flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/** RESET: back to a fresh connection's state. */
function reset(c: Client): void {
  const s = c.server;
  if (c.flags & CLIENT_MULTI) {
    s.dropMulti(c);
  }
  s.unwatchAll(c);
  s.pubsub.removeClient(c);
  s.monitors.delete(c);
  c.flags &= ~(
    CLIENT_MULTI |
    CLIENT_DIRTY_CAS |
    CLIENT_DIRTY_EXEC |
    CLIENT_MONITOR |
    CLIENT_REPLY_OFF |
    CLIENT_REPLY_SKIP |
    CLIENT_REPLY_SKIP_NEXT |
    CLIENT_NO_EVICT |
    CLIENT_NO_TOUCH |
    CLIENT_READONLY |
    CLIENT_ASKING
  );
  for (const h of s.resetHooks) h(c);
  c.db = s.ks.dbs[0];
  c.resp = 2;
  c.name = '';
  c.user = 'default';
  c.authenticated = !s.requiresAuth();
  c.addSimple('RESET');
}

export const COMMANDS: CommandSpec[] = [
  cmd('ping', -1, ['fast'], [0, 0, 0], 'connection', CONN, ping, { summary: 'Returns the server\'s liveliness response.' }),
  cmd('echo', 2, ['loading', 'stale', 'fast'], [0, 0, 0], 'connection', CONN, (c, a) => c.addBulk(a[1]), { summary: 'Returns the given string.' }),
  cmd('quit', -1, ['allow_busy', 'no_auth', 'fast', 'noscript', 'loading', 'stale'], [0, 0, 0], 'connection', CONN, quit, { summary: 'Closes the connection.' }),
  cmd('hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], [0, 0, 0], 'connection', CONN, hello, { since: '6.0.0', summary: 'Handshakes with the Redis server.' }),
  cmd('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], [0, 0, 0], 'connection', CONN, auth, { summary: 'Authenticates the connection.' }),
  cmd('select', 2, ['loading', 'stale', 'fast'], [0, 0, 0], 'connection', CONN, select, { summary: 'Changes the selected database.' }),
  cmd('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], [0, 0, 0], 'connection', CONN, reset, { since: '6.2.0', summary: 'Resets the connection.' }),
];
