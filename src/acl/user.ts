// ACL users and their selectors, and the rules that change them (ACL SETUSER, `user`
// lines), as Redis 7.2's acl.c defines them.
//
// A user has flags (on/off, nopass, [skip-]sanitize-payload), a list of password
// hashes (SHA-256, hex) and one or more selectors: the root selector (the rules
// written outside parentheses) and the selectors added with `(...)`. A command is
// allowed when one selector allows it: its command, every key it touches (with the
// read/write flags of the key spec that found it) and every channel it publishes
// or subscribes to.
//
// A selector keeps the allowed commands as one byte per command spec of the
// server's table (indexed by the spec's sid), plus the command rules as given
// (Redis 7.2 keeps them in order, dropping an earlier rule for the same command or
// category, and describes the selector with them; 7.0 recomputed a description
// from the bitmap). The table's specs and categories come from the server's
// CommandTable through CommandIndex: the command table is the one source.

import { createHash } from 'node:crypto';
import { commandCategories, ACL_CATEGORY_ORDER, type CommandSpec, type CommandTable } from '../commands/table.js';
import { compileGlob, type GlobMatcher } from '../util/glob.js';
import { splitArgs } from '../protocol/parser.js';

export const ACL_READ = 1;
export const ACL_WRITE = 2;
export const ACL_ALL = 3;

/** A rule that cannot apply: the reason, as ACLSetUserStringError words it. */
export class AclRuleError extends Error {}

export const ERR_SYNTAX = 'Syntax error';
export const ERR_UNKNOWN = 'Unknown command or category name in ACL';
const ERR_ALLKEYS =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const ERR_ALLCHANNELS =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
const ERR_NOPASS = 'The password you are trying to remove from the user does not exist';
const ERR_HASH = 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
const ERR_CHILD = 'Allowing first-arg of a subcommand is not supported';

/** Most commands a user may hold first-argument rules for, per command (+select|0 ...): a bound on a deprecated feature. */
export const MAX_FIRSTARGS_PER_COMMAND = 1024;

/**
 * The command table as the ACL sees it: every spec (containers and subcommands)
 * by sid, lookup by full name ("get", "config|get"), and the specs of each
 * category. Built once per server from its CommandTable.
 */
export class CommandIndex {
  /** Bitmap size: the largest sid + 1. */
  readonly size: number;
  /** Every spec: top-level commands followed by their subcommands. */
  readonly specs: CommandSpec[] = [];
  readonly parentOf = new Map<CommandSpec, CommandSpec>();
  private readonly byCategory = new Map<string, CommandSpec[]>();
  private readonly categoriesOf = new Map<CommandSpec, readonly string[]>();

  constructor(readonly table: CommandTable) {
    let max = 0;
    for (const spec of table.all()) {
      this.add(spec);
      for (const sub of spec.subcommands ?? []) {
        this.parentOf.set(sub, spec);
        this.add(sub);
      }
    }
    for (const s of this.specs) max = Math.max(max, s.sid ?? 0);
    this.size = max + 1;
  }

  private add(spec: CommandSpec): void {
    this.specs.push(spec);
    const cats = commandCategories(spec);
    this.categoriesOf.set(spec, cats);
    for (const cat of cats) {
      let l = this.byCategory.get(cat);
      if (l === undefined) this.byCategory.set(cat, (l = []));
      l.push(spec);
    }
  }

  /** The category names ACL CAT lists, in Redis's order. */
  categories(): readonly string[] {
    return ACL_CATEGORY_ORDER;
  }

  hasCategory(name: string): boolean {
    return ACL_CATEGORY_ORDER.includes(name.toLowerCase());
  }

  /** The specs in a category (lower-case name), containers and subcommands. */
  inCategory(name: string): readonly CommandSpec[] {
    return this.byCategory.get(name.toLowerCase()) ?? [];
  }

  /** The full name of a spec ("config|get"). */
  fullName(spec: CommandSpec): string {
    const p = this.parentOf.get(spec);
    return p === undefined ? spec.name : `${p.name}|${spec.name}`;
  }

  /** Redis's lookupCommandBySds: "name" or "container|sub", case-insensitive; undefined otherwise. */
  lookup(name: string): CommandSpec | undefined {
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const base = this.table.lookup(parts[0]);
    if (base === undefined || parts.length === 1) return base;
    if (base.subcommands === undefined) return undefined;
    const lower = parts[1].toLowerCase();
    return base.subcommands.find((s) => s.name === lower);
  }
}

/** One key pattern with its permissions (ACL_READ | ACL_WRITE). */
export interface KeyPattern {
  pattern: string;
  flags: number;
  match: GlobMatcher;
}

/** A set of permissions: the root one (rules outside parentheses) or a `(...)` selector. */
export class Selector {
  root: boolean;
  allKeys = false;
  allChannels = false;
  /** Every command allowed, present and future: set by +@all, cleared by removing any command. */
  allCommands = false;
  /** Set by +@all, cleared only by -@all: the description starts with +@all (Redis's reserved bit). */
  futureCommands = false;
  allowed: Uint8Array;
  /** First arguments allowed for a command otherwise denied (+select|0), by sid. */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];
  /** The command rules in order, without +@all / -@all ("+get", "-@read", "+config|get"). */
  rules: string[] = [];

  constructor(
    readonly index: CommandIndex,
    root: boolean,
    allChannels: boolean,
  ) {
    this.root = root;
    this.allChannels = allChannels;
    this.allowed = new Uint8Array(index.size);
  }

  clone(): Selector {
    const s = new Selector(this.index, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.futureCommands = this.futureCommands;
    s.allowed.set(this.allowed);
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, v.slice()]));
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = this.channels.slice();
    s.rules = this.rules.slice();
    return s;
  }

  private setBit(spec: CommandSpec, on: boolean): void {
    this.allowed[spec.sid ?? 0] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** ACLChangeSelectorPerm: the command and, for a container, every subcommand. */
  private changePerm(spec: CommandSpec, on: boolean): void {
    this.setBit(spec, on);
    this.firstArgs?.delete(spec.sid ?? 0);
    for (const sub of spec.subcommands ?? []) this.setBit(sub, on);
  }

  /** ACLUpdateCommandRules: drops an earlier rule for the same name (or one of its subcommands), appends this one. */
  private updateRules(name: string, allow: boolean): void {
    const n = name.toLowerCase();
    this.rules = this.rules.filter((r) => {
      const body = r.slice(1);
      return !(body === n || (body.length > n.length && body.startsWith(n) && body[n.length] === '|'));
    });
    this.rules.push((allow ? '+' : '-') + n);
  }

  /** Applies one selector rule (ACLSetSelector); throws AclRuleError. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || lower === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (lower === 'allchannels' || lower === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.allowed.fill(1);
      this.allCommands = true;
      this.futureCommands = true;
      this.rules = [];
      this.firstArgs = null;
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.fill(0);
      this.allCommands = false;
      this.futureCommands = false;
      this.rules = [];
      this.firstArgs = null;
    } else if (op[0] === '~' || op[0] === '%') {
      this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) throw new AclRuleError(ERR_ALLCHANNELS);
      const ch = op.slice(1);
      if (!this.channels.includes(ch)) this.channels.push(ch);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const spec = this.index.lookup(op.slice(1));
      if (spec === undefined) throw new AclRuleError(ERR_UNKNOWN);
      this.changePerm(spec, false);
      this.updateRules(this.index.fullName(spec), false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cat = op.slice(2);
      if (!this.index.hasCategory(cat)) throw new AclRuleError(ERR_UNKNOWN);
      const on = op[0] === '+';
      for (const spec of this.index.inCategory(cat)) this.changePerm(spec, on);
      this.updateRules('@' + cat, on);
    } else {
      throw new AclRuleError(ERR_SYNTAX);
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(ERR_ALLKEYS);
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === 'R' && (flags & ACL_READ) === 0) flags |= ACL_READ;
        else if (ch === 'W' && (flags & ACL_WRITE) === 0) flags |= ACL_WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else throw new AclRuleError(ERR_SYNTAX);
      }
      if (flags === 0) throw new AclRuleError(ERR_SYNTAX);
    } else {
      flags = ACL_ALL;
    }
    const pattern = op.slice(offset);
    const same = this.patterns.find((p) => p.pattern === pattern);
    if (same !== undefined) same.flags |= flags;
    else this.patterns.push({ pattern, flags, match: compileGlob(pattern) });
    this.allKeys = false;
  }

  /** +cmd, +container|sub, and the deprecated +cmd|firstarg. */
  private allowCommand(name: string): void {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const spec = this.index.lookup(name);
      if (spec === undefined) throw new AclRuleError(ERR_UNKNOWN);
      this.changePerm(spec, true);
      this.updateRules(this.index.fullName(spec), true);
      return;
    }
    const base = name.slice(0, bar);
    const sub = name.slice(bar + 1);
    const spec = this.index.lookup(base);
    if (spec === undefined) throw new AclRuleError(ERR_UNKNOWN);
    if (this.index.parentOf.has(spec)) throw new AclRuleError(ERR_CHILD);
    if (sub.length === 0) throw new AclRuleError(ERR_SYNTAX);
    if (spec.subcommands !== undefined) {
      const subSpec = this.index.lookup(name);
      if (subSpec === undefined) throw new AclRuleError(ERR_UNKNOWN);
      this.changePerm(subSpec, true);
    } else {
      // Redis logs a deprecation warning for this use (a first argument of a plain command).
      if (this.firstArgs === null) this.firstArgs = new Map();
      const sid = spec.sid ?? 0;
      let l = this.firstArgs.get(sid);
      if (l === undefined) this.firstArgs.set(sid, (l = []));
      const lowerSub = sub.toLowerCase();
      if (!l.includes(lowerSub) && l.length < MAX_FIRSTARGS_PER_COMMAND) l.push(lowerSub);
    }
    this.updateRules(name, true);
  }

  /** The command rules as ACL LIST and GETUSER show them (Redis 7.2's ACLDescribeSelectorCommandRules). */
  describeCommands(): string {
    const head = this.futureCommands ? '+@all' : '-@all';
    return this.rules.length === 0 ? head : `${head} ${this.rules.join(' ')}`;
  }

  describeKeys(): string {
    if (this.allKeys) return '~*';
    return this.patterns.map(patternString).join(' ');
  }

  describeChannels(): string {
    if (this.allChannels) return '&*';
    return this.channels.map((c) => '&' + c).join(' ');
  }

  /** ACLDescribeSelector: keys, channels, commands. */
  describe(): string {
    let out = '';
    if (this.allKeys) out += '~* ';
    else for (const p of this.patterns) out += patternString(p) + ' ';
    if (this.allChannels) out += '&* ';
    else {
      out += 'resetchannels ';
      for (const c of this.channels) out += '&' + c + ' ';
    }
    return out + this.describeCommands();
  }
}

function patternString(p: KeyPattern): string {
  return (p.flags === ACL_ALL ? '~' : p.flags === ACL_READ ? '%R~' : '%W~') + p.pattern;
}

/** SHA-256 of a password as Redis stores it (hex). Passwords are binary (latin1) strings. */
export function hashPassword(pass: string): string {
  return createHash('sha256').update(pass, 'latin1').digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

/** A user: flags, password hashes, selectors (the first is the root selector). */
export class User {
  enabled = false;
  nopass = false;
  /** 'sanitize' (7.2's default for a new user), 'skip', or neither (only in a copy of a 7.0 user). */
  sanitize: 'sanitize' | 'skip' | null = 'sanitize';
  passwords: string[] = [];
  selectors: Selector[];
  /**
   * Every permission without a check: on, a single root selector with every
   * command, key and channel. The dispatcher's ACL check returns at once for it
   * (the default user of a server without ACL rules).
   */
  unrestricted = false;

  constructor(
    readonly name: string,
    readonly index: CommandIndex,
    private readonly pubsubDefault: () => boolean,
  ) {
    this.selectors = [new Selector(index, true, pubsubDefault())];
  }

  get root(): Selector {
    return this.selectors[0];
  }

  /** A copy to stage changes on (ACL SETUSER is all or nothing). */
  clone(name = this.name): User {
    const u = new User(name, this.index, this.pubsubDefault);
    u.copyFrom(this);
    return u;
  }

  /** Takes every setting of `o` (ACLCopyUser): clients keep their reference to this object. */
  copyFrom(o: User): void {
    this.enabled = o.enabled;
    this.nopass = o.nopass;
    this.sanitize = o.sanitize;
    this.passwords = o.passwords.slice();
    this.selectors = o.selectors.map((s) => s.clone());
    this.refresh();
  }

  /** Recomputes `unrestricted`; call after any change. */
  refresh(): void {
    const r = this.root;
    this.unrestricted = this.selectors.length === 1 && r.allCommands && r.allKeys && r.allChannels;
  }

  /** Applies one rule (ACLSetUser); throws AclRuleError. An empty rule does nothing. */
  apply(op: string): void {
    if (op.length === 0) return;
    const lower = op.toLowerCase();
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload') this.sanitize = 'skip';
    else if (lower === 'sanitize-payload') this.sanitize = 'sanitize';
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) throw new AclRuleError(ERR_HASH);
      }
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) throw new AclRuleError(ERR_HASH);
      }
      const i = this.passwords.indexOf(h);
      if (i < 0) throw new AclRuleError(ERR_NOPASS);
      this.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(this.index, false, this.pubsubDefault());
      // sdssplitargs of the inside; unbalanced quotes give no rules, as in Redis.
      for (const rule of splitArgs(op.slice(1, -1)) ?? []) s.apply(rule);
      this.selectors.push(s);
    } else if (lower === 'clearselectors') {
      this.selectors.length = 1;
    } else if (lower === 'reset') {
      this.passwords = [];
      this.nopass = false;
      const r = this.root;
      r.apply('resetkeys');
      r.apply('resetchannels');
      if (this.pubsubDefault()) r.apply('allchannels');
      this.enabled = false;
      this.sanitize = 'sanitize';
      this.selectors.length = 1;
      r.apply('-@all');
    } else {
      this.root.apply(op);
    }
    this.refresh();
  }

  /** The flags in Redis's order (ACLUserFlags). */
  flags(): string[] {
    const out = [this.enabled ? 'on' : 'off'];
    if (this.nopass) out.push('nopass');
    if (this.sanitize === 'skip') out.push('skip-sanitize-payload');
    else if (this.sanitize === 'sanitize') out.push('sanitize-payload');
    return out;
  }

  /** ACLDescribeUser: the rules after "user <name>" in ACL LIST and the aclfile. */
  describe(): string {
    let out = '';
    for (const f of this.flags()) out += f + ' ';
    for (const p of this.passwords) out += '#' + p + ' ';
    for (const s of this.selectors) out += s.root ? s.describe() : ` (${s.describe()})`;
    return out;
  }
}

/**
 * ACLMergeSelectorArguments: joins the arguments of a selector written across
 * several arguments ("(~a" "+get)") into one. Returns the index of an unclosed
 * opening argument as a number.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let cur = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j];
    // An opening argument starts the selector anew even inside one, as redis-server 7.0 does.
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      cur = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      cur += ' ' + op;
      if (op.length > 0 && op[op.length - 1] === ')') {
        open = -1;
        out.push(cur);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? open : out;
}

/** A user name ACL SETUSER accepts: no spaces or NUL (ACLStringHasSpaces). */
export function validUserName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0 || c === 32 || (c >= 9 && c <= 13)) return false;
  }
  return true;
}
