// The ACL of one server: its users, authentication against them, the permission
// check of the dispatcher's 'acl' phase, and the ACL log.
//
// Cost on the hot path: the check is a PhaseSwitch, registered only while some
// user is restricted (with only the default user and its `+@all ~* &*`, commands
// pay no call for it); when registered, a client of an unrestricted user returns
// after one field test. A restricted user's check looks at the command bit, then
// the keys found by the command's key specs, then the channels.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { CLIENT_CLOSE_AFTER_REPLY, CLIENT_MULTI } from '../server/client.js';
import { PhaseSwitch } from '../server/phases.js';
import { CMD_NO_AUTH, getChannelPositions, keyInfoOf, type CommandSpec } from '../commands/table.js';
import { keysOf } from '../commands/key-specs.js';
import type { KeySpecFlag } from '../commands/docs/types.js';
import { globMatch } from '../util/glob.js';
import { ACL_READ, ACL_WRITE, CommandIndex, User, type Selector } from './user.js';

export const ACL_OK = 0;
export const ACL_DENIED_CMD = 1;
export const ACL_DENIED_KEY = 2;
export const ACL_DENIED_AUTH = 3;
export const ACL_DENIED_CHANNEL = 4;

/** Entries grouped into one when they are alike and this close in time (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const LOG_GROUPING_MS = 60000;
/** How many recent entries a new one is compared with for grouping (Redis scans 10). */
const LOG_GROUPING_SCAN = 10;

export type LogContext = 'toplevel' | 'multi' | 'lua' | 'module';

export interface AclLogEntry {
  count: number;
  reason: number;
  context: LogContext;
  object: string;
  username: string;
  /** ms: last time the entry was hit (Redis's ctime, 7.2's timestamp-last-updated). */
  ctime: number;
  clientInfo: string;
  entryId: number;
  created: number;
}

/** The verdict of a permission check: ACL_OK or a denial with the argv index of the key or channel. */
export interface AclVerdict {
  result: number;
  pos: number;
}

/** Read/write needs of a key spec's flags (ACLSelectorCheckKey), cached per flags array. */
const keyNeedCache = new WeakMap<readonly KeySpecFlag[], number>();
function keyNeed(flags: readonly KeySpecFlag[]): number {
  let n = keyNeedCache.get(flags);
  if (n === undefined) {
    n = 0;
    if (flags.includes('access')) n |= ACL_READ;
    if (flags.includes('insert') || flags.includes('delete') || flags.includes('update')) n |= ACL_WRITE;
    keyNeedCache.set(flags, n);
  }
  return n;
}

/** Keys at fixed argv positions, with what each needs: the key specs of single-key and fixed-arity commands. */
interface KeyPlan {
  pos: number[];
  need: number[];
  maxPos: number;
}

const keyPlans = new WeakMap<CommandSpec, KeyPlan | null>();

/**
 * The fixed key positions of a command, when its key specs are all "index N,
 * range lastkey >= 0" (no keyword search, no count, nothing incomplete): the
 * positions do not depend on argv beyond its length. null otherwise.
 */
function keyPlan(spec: CommandSpec): KeyPlan | null {
  let plan = keyPlans.get(spec);
  if (plan !== undefined) return plan;
  plan = null;
  const info = keyInfoOf(spec);
  if (info.useSpecs && info.specs.length > 0) {
    const pos: number[] = [];
    const need: number[] = [];
    let fixed = true;
    for (const ks of info.specs) {
      if (ks.flags.includes('not_key')) continue;
      const bs = ks.begin_search;
      const fk = ks.find_keys;
      if (bs.type !== 'index' || fk.type !== 'range' || fk.spec.lastkey < 0 || ks.flags.includes('incomplete')) {
        fixed = false;
        break;
      }
      for (let i = bs.spec.index; i <= bs.spec.index + fk.spec.lastkey; i += Math.max(1, fk.spec.keystep)) {
        pos.push(i);
        need.push(keyNeed(ks.flags));
      }
    }
    if (fixed && pos.length > 0) plan = { pos, need, maxPos: Math.max(...pos) };
  }
  keyPlans.set(spec, plan);
  return plan;
}

function keyAllowed(s: Selector, key: string, need: number): boolean {
  return s.keyMatch(need, key);
}

/** ACLCheckChannelAgainstList: a pattern argument must equal a rule; a channel is matched against the rules as globs. */
function channelAllowed(s: Selector, channel: string, isPattern: boolean): boolean {
  for (const rule of s.channels) {
    if (isPattern ? rule === channel : globMatch(rule, channel)) return true;
  }
  return false;
}

/** Hash comparison that takes the same time wherever the hashes differ. */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Acl {
  readonly index: CommandIndex;
  /** Users by name; the default user always exists. */
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  log: AclLogEntry[] = [];
  private logNextId = 0;
  private readonly phase: PhaseSwitch;

  constructor(readonly server: Server) {
    this.index = new CommandIndex(server.commands);
    this.defaultUser = this.newUser('default');
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) this.defaultUser.apply(r);
    this.users.set('default', this.defaultUser);
    this.phase = new PhaseSwitch(server.phases, 'acl', (c, spec, argv, bits) => this.phaseCheck(c as Client, spec, argv, bits), { exec: true, script: false });
    this.updateRequirePass();
  }

  newUser(name: string): User {
    return new User(name, this.index, () => this.server.config.getString('acl-pubsub-default') === 'allchannels');
  }

  /** The user a client is authenticated as (null on the client: the default user). */
  userOf(c: Client): User {
    return (c.aclUser as User | null) ?? this.defaultUser;
  }

  /** Turns the phase on while some user is restricted; call after any change to users. */
  changed(): void {
    let restricted = false;
    for (const u of this.users.values()) if (!u.unrestricted) restricted = true;
    this.phase.set(restricted);
  }

  /** requirepass is the default user's password: resetpass, then >pass or nopass (ACLUpdateDefaultUserPassword). */
  updateRequirePass(): void {
    const pass = this.server.config.getString('requirepass');
    this.defaultUser.apply('resetpass');
    this.defaultUser.apply(pass === '' ? 'nopass' : '>' + pass);
    this.changed();
  }

  /** Whether a new connection must authenticate: the default user is off or has passwords (authRequired). */
  authRequired(): boolean {
    const d = this.defaultUser;
    return !d.nopass || !d.enabled;
  }

  /**
   * ACLCheckUserCredentials then the login: true when `user` exists, is on, and is
   * nopass or one of its password hashes equals the password's (compared in
   * constant time). A failure is logged (reason auth, object AUTH/HELLO).
   */
  authenticate(c: Client, name: string, pass: string): boolean {
    const u = this.users.get(name);
    let ok = false;
    if (u !== undefined && u.enabled) {
      if (u.nopass) ok = true;
      else {
        const h = createHash('sha256').update(pass, 'latin1').digest('hex');
        for (const p of u.passwords) if (sameHash(h, p)) ok = true;
      }
    }
    if (!ok) {
      this.addLog(c, ACL_DENIED_AUTH, (c.flags & CLIENT_MULTI) !== 0 ? 'multi' : 'toplevel', c.argv[0] ?? 'AUTH', name);
      return false;
    }
    c.aclUser = u === this.defaultUser ? null : u!;
    return true;
  }

  // ---- the permission check ------------------------------------------------------------

  private phaseCheck(c: Client, spec: CommandSpec, argv: string[], bits: number): string | null {
    const u = (c.aclUser as User | null) ?? this.defaultUser;
    if (u.unrestricted) return null;
    const v = this.check(u, spec, argv, bits);
    if (v.result === ACL_OK) return null;
    const inExec = c.inExec;
    const obj = v.result === ACL_DENIED_CMD ? this.index.fullName(spec) : argv[v.pos];
    this.addLog(c, v.result, inExec || (c.flags & CLIENT_MULTI) !== 0 ? 'multi' : 'toplevel', obj, u.name);
    if (inExec) return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${execReason(v.result)}`;
    return 'NOPERM ' + this.denialMessage(v.result, u, spec, '', false);
  }

  /**
   * scriptVerifyACL (Redis 7.2): a command run by a script, checked as the calling
   * client's user; the denial is logged with context lua and the caller's info, and
   * answered with the same NOPERM message as at top level.
   */
  scriptCheck(caller: Client, spec: CommandSpec, argv: string[], bits: number): string | null {
    const u = this.userOf(caller);
    if (u.unrestricted) return null;
    const v = this.check(u, spec, argv, bits);
    if (v.result === ACL_OK) return null;
    const obj = v.result === ACL_DENIED_CMD ? this.index.fullName(spec) : argv[v.pos];
    this.addLog(caller, v.result, 'lua', obj, u.name);
    return 'NOPERM ' + this.denialMessage(v.result, u, spec, '', false);
  }

  /** getAclErrorMessage (Redis 7.2). `verbose` (DRYRUN) names the key or channel. */
  denialMessage(result: number, u: User, spec: CommandSpec, value: string, verbose: boolean): string {
    if (result === ACL_DENIED_CMD) return `User ${u.name} has no permissions to run the '${this.index.fullName(spec)}' command`;
    if (result === ACL_DENIED_KEY) return verbose ? `User ${u.name} has no permissions to access the '${value}' key` : 'No permissions to access a key';
    return verbose ? `User ${u.name} has no permissions to access the '${value}' channel` : 'No permissions to access a channel';
  }

  /**
   * ACLCheckAllUserCommandPerm: OK when one selector allows the command; otherwise
   * the most relevant denial (channel > key > command; of equal kind, the one at the
   * later argument).
   */
  check(u: User, spec: CommandSpec, argv: readonly string[], bits: number): AclVerdict {
    const sels = u.selectors;
    if (sels.length === 1) {
      const r = this.checkSelector(sels[0], spec, argv, bits);
      return { result: r, pos: r === ACL_OK ? 0 : this.deniedPos };
    }
    let result = ACL_DENIED_CMD;
    let pos = 0;
    for (let i = 0; i < sels.length; i++) {
      const r = this.checkSelector(sels[i], spec, argv, bits);
      if (r === ACL_OK) return { result: ACL_OK, pos: 0 };
      if (r > result || (r === result && this.deniedPos > pos)) {
        result = r;
        pos = this.deniedPos;
      }
    }
    return { result, pos };
  }

  /** The argv index of the key or channel the last checkSelector denied. */
  private deniedPos = 0;

  /** ACLSelectorCheckCmd: ACL_OK or the denial (its position in deniedPos). */
  private checkSelector(s: Selector, spec: CommandSpec, argv: readonly string[], bits: number): number {
    this.deniedPos = 0;
    if (!s.allCommands && (bits & CMD_NO_AUTH) === 0 && s.allowed[spec.sid ?? 0] === 0) {
      // Allowed only with a given first argument (+select|0)?
      const parent = this.index.parentOf.get(spec);
      const idx = parent !== undefined ? 2 : 1;
      const firsts = s.firstArgs?.get(spec.sid ?? 0);
      if (firsts === undefined || argv.length <= idx || !firsts.includes(argv[idx].toLowerCase())) return ACL_DENIED_CMD;
    }
    if (!s.allKeys) {
      const plan = keyPlan(spec);
      if (plan !== null && argv.length > plan.maxPos) {
        // Keys at fixed positions (GET, SET, HSET...): no key extraction.
        const pos = plan.pos;
        for (let i = 0; i < pos.length; i++) {
          if (!keyAllowed(s, argv[pos[i]], plan.need[i])) {
            this.deniedPos = pos[i];
            return ACL_DENIED_KEY;
          }
        }
      } else {
        const info = keyInfoOf(spec);
        if (info.hasKeys) {
          const refs = keysOf(info, argv);
          for (let i = 0; i < refs.length; i++) {
            const r = refs[i];
            if (!keyAllowed(s, argv[r.pos], keyNeed(r.flags))) {
              this.deniedPos = r.pos;
              return ACL_DENIED_KEY;
            }
          }
        }
      }
    }
    if (!s.allChannels && spec.data?.channels !== undefined) {
      for (const ch of getChannelPositions(spec, argv)) {
        if (ch.action !== 'publish' && ch.action !== 'subscribe') continue;
        if (!channelAllowed(s, argv[ch.pos], ch.pattern)) {
          this.deniedPos = ch.pos;
          return ACL_DENIED_CHANNEL;
        }
      }
    }
    return ACL_OK;
  }

  // ---- the log ---------------------------------------------------------------------------

  /** addACLLogEntry: counts the denial, then groups it with a like entry of the last minute or adds it. */
  addLog(c: Client, reason: number, context: LogContext, object: string, username: string): void {
    const d = this.server.aclDenied;
    if (reason === ACL_DENIED_CMD) d.cmd++;
    else if (reason === ACL_DENIED_KEY) d.key++;
    else if (reason === ACL_DENIED_CHANNEL) d.channel++;
    const now = Date.now();
    const info = this.server.clientInfoLine(c);
    const n = Math.min(LOG_GROUPING_SCAN, this.log.length);
    for (let i = 0; i < n; i++) {
      const e = this.log[i];
      if (e.reason === reason && e.context === context && now - e.ctime <= LOG_GROUPING_MS && e.object === object && e.username === username) {
        e.count++;
        e.ctime = now;
        e.clientInfo = info;
        this.log.splice(i, 1);
        this.log.unshift(e);
        return;
      }
    }
    this.log.unshift({ count: 1, reason, context, object, username, ctime: now, clientInfo: info, entryId: this.logNextId++, created: now });
    const max = this.server.config.getNumber('acllog-max-len');
    if (this.log.length > max) this.log.length = max;
  }

  // ---- changes that disconnect clients -----------------------------------------------------

  /** Closes the clients authenticated as `u` (ACLFreeUserAndKillClients); the running client after its reply. */
  killClientsOf(u: User, current: Client | null): void {
    for (const c of [...this.server.clients.values()] as Client[]) {
      if (this.userOf(c) !== u) continue;
      c.aclUser = null;
      c.authenticated = false;
      if (c === current) c.flags |= CLIENT_CLOSE_AFTER_REPLY;
      else this.server.closeClient(c);
    }
  }

  /**
   * ACLKillPubsubClientsIfNeeded: when `next` would take channels away from `u`,
   * the clients of `u` subscribed to a channel or pattern `next` no longer allows
   * are closed.
   */
  killPubsubClientsIfNeeded(u: User, next: User, current: Client | null): void {
    if (next.root.allChannels) return;
    const allowedBy = (ch: string, isPattern: boolean): boolean => {
      for (const s of next.selectors) if (s.allChannels || channelAllowed(s, ch, isPattern)) return true;
      return false;
    };
    for (const c of [...this.server.clients.values()] as Client[]) {
      if (this.userOf(c) !== u || c.subscriptionCount === 0) continue;
      let kill = false;
      for (const ch of c.channels) if (!allowedBy(ch, false)) kill = true;
      for (const ch of c.shardChannels) if (!allowedBy(ch, false)) kill = true;
      for (const p of c.patterns) if (!allowedBy(p, true)) kill = true;
      if (!kill) continue;
      if (c === current) c.flags |= CLIENT_CLOSE_AFTER_REPLY;
      else this.server.closeClient(c);
    }
  }
}

function execReason(result: number): string {
  if (result === ACL_DENIED_CMD) return 'no permission to execute the command or subcommand';
  if (result === ACL_DENIED_KEY) return 'no permission to touch the specified keys';
  if (result === ACL_DENIED_CHANNEL) return 'no permission to access one of the channels used as arguments';
  return 'no permission';
}
