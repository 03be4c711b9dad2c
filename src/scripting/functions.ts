// FUNCTION and FCALL: the function libraries (`#!lua name=<lib>` code whose load
// registers functions with redis.register_function), kept per server, run on the
// server's one Lua VM (scripting.ts) with EVAL's run, errors and busy handling.
//
// A library is compiled and its code run at FUNCTION LOAD (prelude.ts fload: the
// load-time environment shows only redis.register_function, redis.log and the
// constants, and a load runs at most FUNCTION_LOAD_TIMEOUT_MS); its functions stay
// in the VM under the library's token (a name of its own per load, so that a
// REPLACE or a failed RESTORE never touches the library it would replace until it
// succeeds). A new VM (SCRIPT FLUSH) loads every library again.
//
// Effects: FCALL is never propagated itself, its writes are (as EVAL's); FUNCTION
// LOAD, DELETE, FLUSH and RESTORE are propagated as they are (server.dirty). The
// libraries go into RDB files as RDB_OPCODE_FUNCTION2 records, into AOF rewrites
// as FUNCTION LOAD commands and into full syncs (through FunctionLibraries, which
// persistence and replication see).
//
// FUNCTION DUMP's payload: per library the opcode 245 and its code as an RDB
// string, then the 2-byte RDB version and the CRC-64 (as DUMP's).
//
// Limits: a library's code is what the command or payload carries (the protocol's
// proto-max-bulk-len bounds it); libraries and functions are not counted, as in Redis.

import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import { setFunctionLibraries, type FunctionLibraries } from '../server/function-libraries.js';
import { addHelp } from '../commands/client-command.js';
import { FUNCTION_HELP } from '../commands/scripting.js';
import { globMatch } from '../util/glob.js';
import { Crc64 } from '../persistence/crc64.js';
import { ByteWriter } from '../persistence/encodings.js';
import { RDB_OPCODE, RDB_VERSION_MAX, RdbError, RdbReader, writeString } from '../persistence/rdb.js';
import { writeOptions } from '../persistence/persistence.js';
import { parseNumkeys, scriptCommandBits, type Scripting, type ShebangFlags } from './scripting.js';
import type { LuaVM } from './lua-vm.js';
import { splitArgs } from '../protocol/parser.js';

export interface FunctionDef {
  name: string;
  /** Flag names in Redis's order (FUNCTION LIST). */
  flagNames: string[];
  flags: ShebangFlags;
  description: string | null;
  lib: Library;
}

export interface Library {
  name: string;
  code: string;
  /** The library's name in the VM (prelude.ts LIBS). */
  token: string;
  functions: Map<string, FunctionDef>;
}

const ENGINE = 'LUA';

/** The `#!<engine> name=<lib>` line of a library: its name, or Redis's error (without "ERR "). */
export function parseLibraryMetadata(code: string): { name: string } | { err: string } {
  if (!code.startsWith('#!')) return { err: 'Missing library metadata' };
  const end = code.indexOf('\n');
  // Redis looks for the newline with strchr: a NUL before it ends the search.
  const nul = code.indexOf('\0');
  if (end < 0 || (nul >= 0 && nul < end)) return { err: 'Invalid library metadata' };
  const parts = splitArgs(code.slice(2, end));
  if (parts === null || parts.length === 0) return { err: 'Invalid library metadata' };
  let name: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.length >= 5 && p.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return { err: 'Invalid metadata value, name argument was given multiple times' };
      name = p.slice(5);
    } else {
      return { err: `Invalid metadata value given: ${p}` };
    }
  }
  if (name === null) return { err: 'Library name was not given' };
  if (parts[0].toUpperCase() !== ENGINE) return { err: `Engine '${parts[0]}' not found` };
  if (!/^[A-Za-z0-9_]+$/.test(name)) return { err: 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' };
  return { name };
}

function flagsOfNames(names: string[]): ShebangFlags {
  return {
    noWrites: names.includes('no-writes'),
    allowOom: names.includes('allow-oom'),
    allowStale: names.includes('allow-stale'),
    noCluster: names.includes('no-cluster'),
    allowCrossSlot: names.includes('allow-cross-slot-keys'),
  };
}

export class Functions implements FunctionLibraries {
  readonly libs = new Map<string, Library>();
  readonly fns = new Map<string, FunctionDef>();
  private serial = 0;

  constructor(
    readonly server: Server,
    readonly st: Scripting,
  ) {
    st.onNewVm = (vm) => this.reloadInto(vm);
  }

  // ---- libraries -------------------------------------------------------------------------

  /**
   * Compiles a library and runs its code in the VM (not joined to the live set yet:
   * join() or discard()). `others`: libraries staged with it (a RESTORE payload).
   */
  private create(code: string, others: Library[] = []): Library | { err: string } {
    const md = parseLibraryMetadata(code);
    if ('err' in md) return md;
    if (others.some((l) => l.name === md.name)) return { err: `Library '${md.name}' already exists` };
    const lib: Library = { name: md.name, code, token: `L${++this.serial}`, functions: new Map() };
    const err = this.compileInto(this.st.lua(), lib);
    if (err !== null) return { err };
    for (const o of others) {
      for (const f of lib.functions.keys()) {
        if (o.functions.has(f)) {
          this.discard(lib);
          return { err: `Function ${f} already exists` };
        }
      }
    }
    return lib;
  }

  /** Runs the library's code as lib.token in `vm`, filling lib.functions; the error (without "ERR ") or null. */
  private compileInto(vm: LuaVM, lib: Library): string | null {
    const base = vm.top();
    vm.getRegistry('fload');
    vm.pushPlain(lib.token);
    // The code after the metadata line, from its newline: line numbers stay those of the library (as Redis's md.code).
    const esc = vm.pushString(lib.code.slice(lib.code.indexOf('\n')));
    vm.pushPlain(esc ? '1' : '0');
    this.st.loadStartMs = Date.now();
    let rc: number;
    try {
      rc = vm.pcall(3, -1);
    } finally {
      this.st.loadStartMs = -1;
    }
    try {
      if (rc !== 0) return `Error registering functions: ${vm.str(-1) ?? 'error'}`;
      const tag = vm.str(base + 1);
      if (tag === 'compile') return `Error compiling function: ${vm.str(base + 2) ?? ''}`;
      if (tag === 'load') return `Error registering functions: ${vm.str(base + 2) ?? ''}`;
      if (tag === 'none') return 'No functions registered';
      lib.functions.clear();
      for (let i = base + 2; i + 2 <= vm.top(); i += 3) {
        const name = vm.str(i)!;
        const fl = vm.str(i + 1)!;
        const d = vm.str(i + 2)!;
        const flagNames = fl === '' ? [] : fl.split(',');
        lib.functions.set(name, { name, flagNames, flags: flagsOfNames(flagNames), description: d[0] === 's' ? d.slice(1) : null, lib });
      }
      return null;
    } finally {
      vm.setTop(base);
    }
  }

  /** Drops a library's functions from the VM. */
  private discard(lib: Library): void {
    const vm = this.st.lua();
    const base = vm.top();
    vm.getRegistry('fdrop');
    vm.pushPlain(lib.token);
    vm.pcall(1, 0);
    vm.setTop(base);
  }

  /** A new VM (SCRIPT FLUSH): every library loads again into it under its token. */
  private reloadInto(vm: LuaVM): void {
    for (const lib of this.libs.values()) {
      const err = this.compileInto(vm, lib);
      if (err !== null) this.server.log.warning(`Function library '${lib.name}' failed to load into the new Lua VM: ${err}`);
    }
  }

  /**
   * Joins staged libraries to the live set (Redis's libraryJoin): with `replace`
   * a live library of the same name goes; a function name another live library
   * holds fails the join. On an error nothing changes (the staged are discarded).
   */
  private join(staged: Library[], replace: boolean): string | null {
    const removed = new Set<string>();
    let err: string | null = null;
    for (const lib of staged) {
      if (this.libs.has(lib.name)) {
        if (!replace) {
          err = `Library ${lib.name} already exists`;
          break;
        }
        removed.add(lib.name);
      }
    }
    if (err === null) {
      outer: for (const lib of staged) {
        for (const f of lib.functions.keys()) {
          const live = this.fns.get(f);
          if (live !== undefined && !removed.has(live.lib.name)) {
            err = `Function ${f} already exists`;
            break outer;
          }
        }
      }
    }
    if (err !== null) {
      for (const lib of staged) this.discard(lib);
      return err;
    }
    for (const name of removed) this.unlink(this.libs.get(name)!, true);
    for (const lib of staged) {
      this.libs.set(lib.name, lib);
      for (const f of lib.functions.values()) this.fns.set(f.name, f);
    }
    return null;
  }

  private unlink(lib: Library, drop: boolean): void {
    this.libs.delete(lib.name);
    for (const f of lib.functions.keys()) this.fns.delete(f);
    if (drop) this.discard(lib);
  }

  private flushAll(): void {
    for (const lib of [...this.libs.values()]) this.unlink(lib, true);
  }

  /** FUNCTION LOAD's work: the library's name, or the error (without "ERR "). */
  load(code: string, replace: boolean): { name: string } | { err: string } {
    const md = parseLibraryMetadata(code);
    if ('err' in md) return md;
    if (!replace && this.libs.has(md.name)) return { err: `Library '${md.name}' already exists` };
    const lib = this.create(code);
    if ('err' in lib) return lib;
    const err = this.join([lib], true);
    return err === null ? { name: lib.name } : { err };
  }

  // ---- FunctionLibraries (persistence, replication) --------------------------------------

  codes(): string[] {
    return [...this.libs.values()].map((l) => l.code);
  }

  restore(codes: string[], mode: 'replace' | 'merge'): string | null {
    const staged: Library[] = [];
    for (const code of codes) {
      const lib = this.create(code, staged);
      if ('err' in lib) {
        for (const s of staged) this.discard(s);
        return lib.err;
      }
      staged.push(lib);
    }
    if (mode === 'replace') this.flushAll();
    return this.join(staged, true);
  }

  // ---- the payload of FUNCTION DUMP --------------------------------------------------------

  dump(): Buffer {
    const o = writeOptions(this.server);
    const w = new ByteWriter(256);
    for (const lib of this.libs.values()) {
      w.u8(RDB_OPCODE.FUNCTION2);
      writeString(w, lib.code, o.compress ?? true);
    }
    w.u16le(o.version ?? 10);
    const crc = new Crc64().update(w.buf, 0, w.pos);
    w.ensure(8);
    crc.writeLE(w.buf, w.pos);
    w.pos += 8;
    return w.take();
  }

  /**
   * Reads a FUNCTION RESTORE payload and stages each library as it is read (Redis's
   * order: a record's error is found before the next record is read). The staged
   * libraries, or Redis's error (without "ERR "; nothing staged then).
   */
  private stagePayload(p: Buffer): Library[] | { err: string } {
    const n = p.length;
    if (n < 10) return { err: 'DUMP payload version or checksum are wrong' };
    const ver = p[n - 10] | (p[n - 9] << 8);
    if (ver > RDB_VERSION_MAX || !new Crc64().update(p, 0, n - 8).equalsLE(p, n - 8)) return { err: 'DUMP payload version or checksum are wrong' };
    // As Redis: records are read while the position is before the footer, from the whole payload.
    const r = new RdbReader(p, 0, n, this.server.config);
    const staged: Library[] = [];
    const fail = (err: string): { err: string } => {
      for (const s of staged) this.discard(s);
      return { err };
    };
    while (r.pos < n - 10) {
      const type = r.u8();
      if (type === RDB_OPCODE.FUNCTION_PRE_GA) return fail('Pre-GA function format not supported');
      if (type !== RDB_OPCODE.FUNCTION2) return fail('given type is not a function');
      let code: string;
      try {
        code = r.string();
      } catch (e) {
        if (e instanceof RdbError) return fail('Failed loading library payload');
        throw e;
      }
      const lib = this.create(code, staged);
      if ('err' in lib) return fail(lib.err);
      staged.push(lib);
    }
    return staged;
  }

  // ---- the commands ----------------------------------------------------------------------

  functionLoad(c: Client, argv: string[]): void {
    let replace = false;
    let i = 2;
    for (; i < argv.length - 1; i++) {
      if (argv[i].toLowerCase() === 'replace') replace = true;
      else {
        c.addError(`ERR Unknown option given: ${argv[i]}`);
        return;
      }
    }
    if (i !== argv.length - 1) {
      c.addError("ERR Function code was not given");
      return;
    }
    const r = this.load(argv[i], replace);
    if ('err' in r) {
      c.addError(`ERR ${r.err}`);
      return;
    }
    this.server.dirty++;
    c.addBulk(r.name);
  }

  functionDelete(c: Client, argv: string[]): void {
    const lib = this.libs.get(argv[2]);
    if (lib === undefined) {
      c.addError('ERR Library not found');
      return;
    }
    this.unlink(lib, true);
    this.server.dirty++;
    c.addOk();
  }

  functionFlush(c: Client, argv: string[]): void {
    if (argv.length > 3) {
      c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try FUNCTION HELP.`);
      return;
    }
    if (argv.length === 3 && !['sync', 'async'].includes(argv[2].toLowerCase())) {
      c.addError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      return;
    }
    this.flushAll();
    this.server.dirty++;
    c.addOk();
  }

  functionList(c: Client, argv: string[]): void {
    let withCode = false;
    let pattern: string | null = null;
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i].toLowerCase();
      if (!withCode && a === 'withcode') {
        withCode = true;
        continue;
      }
      if (pattern === null && a === 'libraryname') {
        if (i >= argv.length - 1) {
          c.addError('ERR library name argument was not given');
          return;
        }
        pattern = argv[++i];
        continue;
      }
      c.addError(`ERR Unknown argument ${argv[i]}`);
      return;
    }
    const libs = [...this.libs.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
    c.addArrayLen(libs.length);
    for (const lib of libs) {
      c.addMapLen(withCode ? 4 : 3);
      c.addBulk('library_name');
      c.addBulk(lib.name);
      c.addBulk('engine');
      c.addBulk(ENGINE);
      c.addBulk('functions');
      c.addArrayLen(lib.functions.size);
      for (const f of lib.functions.values()) {
        c.addMapLen(3);
        c.addBulk('name');
        c.addBulk(f.name);
        c.addBulk('description');
        c.addBulkOrNull(f.description);
        c.addBulk('flags');
        c.addSetLen(f.flagNames.length);
        for (const n of f.flagNames) c.addSimple(n);
      }
      if (withCode) {
        c.addBulk('library_code');
        c.addBulk(lib.code);
      }
    }
  }

  functionStats(c: Client): void {
    const run = this.st.run;
    c.addMapLen(2);
    c.addBulk('running_script');
    if (run === null || !run.fn) c.addNull();
    else {
      c.addMapLen(3);
      c.addBulk('name');
      c.addBulk(run.sha);
      c.addBulk('command');
      c.addBulkArray(run.argv);
      c.addBulk('duration_ms');
      c.addInt(Date.now() - run.startMs);
    }
    c.addBulk('engines');
    c.addMapLen(1);
    c.addBulk(ENGINE);
    c.addMapLen(2);
    c.addBulk('libraries_count');
    c.addInt(this.libs.size);
    c.addBulk('functions_count');
    c.addInt(this.fns.size);
  }

  functionDump(c: Client): void {
    c.addBulk(this.dump().toString('latin1'));
  }

  functionRestore(c: Client, argv: string[]): void {
    if (argv.length > 4) {
      c.addError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try FUNCTION HELP.`);
      return;
    }
    let policy = 'append';
    if (argv.length === 4) {
      policy = argv[3].toLowerCase();
      if (policy !== 'flush' && policy !== 'append' && policy !== 'replace') {
        c.addError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
        return;
      }
    }
    const staged = this.stagePayload(Buffer.from(argv[2], 'latin1'));
    if (!Array.isArray(staged)) {
      c.addError(`ERR ${staged.err}`);
      return;
    }
    if (policy === 'flush') this.flushAll();
    const err = this.join(staged, policy === 'replace');
    if (err !== null) {
      c.addError(`ERR ${err}`);
      return;
    }
    this.server.dirty++;
    c.addOk();
  }

  /** FCALL / FCALL_RO. */
  fcall(c: Client, argv: string[], ro: boolean): void {
    const f = this.fns.get(argv[1]);
    if (f === undefined) {
      c.addError('ERR Function not found');
      return;
    }
    const nk = parseNumkeys(argv[2], argv.length - 3);
    if (typeof nk === 'string') {
      c.addError(nk === 'ERR value is not an integer or out of range' ? 'ERR Bad number of keys provided' : nk);
      return;
    }
    // FCALL is never propagated itself: its effects are.
    c.preventPropagation();
    const refused = this.st.prepareFlagged(c, f.flags, ro);
    if (refused !== null) {
      c.addError(refused);
      return;
    }
    this.st.runScript(c, f.name, argv, nk, ro || f.flags.noWrites, f.flags.allowOom, f.lib.token);
  }
}

const states = new WeakMap<Server, Functions>();

export function functionsOf(server: Server): Functions | undefined {
  return states.get(server);
}

/** Binds FCALL, FCALL_RO and FUNCTION on a server's table (from installScripting). */
export function installFunctions(server: Server, st: Scripting): Functions {
  const fx = new Functions(server, st);
  states.set(server, fx);
  setFunctionLibraries(server, fx);
  const byFunction = (argv: string[], bits: number): number => {
    const f = argv[1] === undefined ? undefined : fx.fns.get(argv[1]);
    return scriptCommandBits(bits, f === undefined ? NO_FLAGS : f.flags);
  };
  for (const name of ['fcall', 'fcall_ro']) {
    const spec = server.commands.lookup(name);
    if (spec !== undefined) spec.flagsOf = byFunction;
  }
  server.commands.provideAll({
    fcall: (c, argv) => fx.fcall(c as Client, argv, false),
    fcall_ro: (c, argv) => fx.fcall(c as Client, argv, true),
    'function|load': (c, argv) => fx.functionLoad(c as Client, argv),
    'function|delete': (c, argv) => fx.functionDelete(c as Client, argv),
    'function|flush': (c, argv) => fx.functionFlush(c as Client, argv),
    'function|list': (c, argv) => fx.functionList(c as Client, argv),
    'function|stats': (c) => fx.functionStats(c as Client),
    'function|dump': (c) => fx.functionDump(c as Client),
    'function|restore': (c, argv) => fx.functionRestore(c as Client, argv),
    'function|kill': (c) => st.scriptKill(c as Client, true),
    'function|help': (c) => addHelp(c, FUNCTION_HELP),
  });
  return fx;
}

const NO_FLAGS: ShebangFlags = { noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };
