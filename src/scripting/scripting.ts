// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: the script cache, the run of a
// script on the server's one Lua VM (lua-vm.ts, prelude.ts), and redis.call. FCALL
// runs a function (functions.ts) through the same runScript.
//
// A script runs synchronously inside its EVAL's call(), as in Redis: nothing else
// runs meanwhile, so it is atomic. redis.call runs a command on the script's own
// client (a fake client whose replies are kept, not sent) through Redis's checks
// for a call from a script (scriptCall in script.c): lookup, arity, noscript, the
// read-only script rule, then the server's phases marked `script` (read-only
// replica, MISCONF, min-replicas) while the script has not written, the OOM rule
// (refused only before the script's first write, when the server was out of
// memory as the script started), then call(). The commands a script runs are
// propagated as its effects: EVAL itself never is, and call() wraps the effects
// of one script in MULTI/EXEC when there are more than one.
//
// Limits: the VM's heap (LUA_HEAP_BYTES), Lua's own C-stack and call-depth limits
// (LUAI_MAXCCALLS 200, LUAI_MAXCALLS 20000 as 5.1 builds them), a reply nesting
// depth of 1000 (prelude.ts MAXDEPTH). The script cache is not bounded, as in
// Redis 7.2 (SCRIPT FLUSH empties it).

import { createHash } from 'node:crypto';
import { readSync, writeSync } from 'node:fs';
import type { Server } from '../server/server.js';
import { Client } from '../server/client.js';
import { CLIENT_MULTI } from '../commands/client-flags.js';
import { findSubcommand, specBits, type CommandSpec } from '../commands/table.js';
import { CMD_ALLOW_BUSY, CMD_DENYOOM, CMD_MAY_REPLICATE, CMD_NOSCRIPT, CMD_STALE, CMD_WRITE } from '../commands/table.js';
import { PhaseSwitch, runPhases } from '../server/phases.js';
import { addHelp } from '../commands/client-command.js';
import { SCRIPT_HELP } from '../commands/scripting.js';
import { LuaVM, LUA_TNUMBER, LUA_TSTRING } from './lua-vm.js';
import { PRELUDE, PRELUDE_CHUNK } from './prelude.js';

/** A library's code may run this long at FUNCTION LOAD (Redis's LOAD_TIMEOUT_MS). */
const FUNCTION_LOAD_TIMEOUT_MS = 500;
/** The VM's heap limit: past it Lua's allocator fails and the script gets "not enough memory". */
export const LUA_HEAP_BYTES = 256 * 1024 * 1024;
/** Redis 7.2's version as scripts see it (redis.REDIS_VERSION, REDIS_VERSION_NUM). */
const REDIS_VERSION = '7.2.0';
const REDIS_VERSION_NUM = 0x070200;

const ERR_NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
const ERR_NOT_INT = 'ERR value is not an integer or out of range';

/** The script's own client: a fake client whose replies are kept in `out` for the script. */
class ScriptClient extends Client {
  override write(s: string): void {
    this.out += s;
  }
}

/** The state of the script that runs now. */
interface RunCtx {
  caller: Client;
  sha: string;
  /** EVAL_RO / EVALSHA_RO, or the no-writes flag. */
  readOnly: boolean;
  allowOom: boolean;
  /** The server was out of memory as the script started (Redis's pre_command_oom_state). */
  oomAtStart: boolean;
  /** The script changed the dataset (Redis's SCRIPT_WRITE_DIRTY). */
  wrote: boolean;
  /** Protocol of the script's calls (redis.setresp). */
  resp: 2 | 3;
  /** redis.set_repl flags (REPL_ALL = 3). */
  repl: number;
  startMs: number;
  killRequested: boolean;
  /** Past busy-reply-threshold: other clients get -BUSY, served from the hook. */
  busy: boolean;
  /** FCALL (a function), not EVAL: FUNCTION KILL, not SCRIPT KILL, stops it. */
  fn: boolean;
  /** The command that runs it (FUNCTION STATS). */
  argv: string[];
}

const ERR_BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const ERR_BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
/** Bytes read from one client per serving pass while busy. */
const BUSY_READ_BYTES = 16 * 1024;
/** Serving passes while busy are at least this far apart (the hook ticks more often). */
const BUSY_SERVE_INTERVAL_MS = 5;

export interface ShebangFlags {
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlot: boolean;
}

/** Redis's redisLrand48 family (rand48: x' = (0x5DEECE66D x + 0xB) mod 2^48), with which math.random is seeded per script. */
class Rand48 {
  /** drand48's initial state, which Redis's rand.c starts from (scripts are not reseeded: see known-differences). */
  private x = 0x1234abcd330en;
  seed(s: number): void {
    this.x = ((BigInt.asUintN(32, BigInt(Math.trunc(s))) << 16n) | 0x330en) & 0xffffffffffffn;
  }
  next(): number {
    this.x = (0x5deece66dn * this.x + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }
}
/** Redis's REDIS_LRAND48_MAX (INT32_MAX). */
const LRAND48_MAX = 2147483647;

export class Scripting {
  readonly server: Server;
  private vm: LuaVM | null = null;
  /** sha1 -> body of every script EVAL or SCRIPT LOAD compiled. */
  readonly scripts = new Map<string, string>();
  private readonly client: ScriptClient;
  run: RunCtx | null = null;
  private readonly rand = new Rand48();
  /** -BUSY for every command without allow_busy, on while a script is past busy-reply-threshold. */
  private readonly busyPhase: PhaseSwitch;
  private lastServe = 0;
  private readBuf = Buffer.allocUnsafe(BUSY_READ_BYTES);

  constructor(server: Server) {
    this.server = server;
    this.busyPhase = new PhaseSwitch(server.phases, 'busy-script', (_c, spec, argv, bits) => {
      const busy = this.run !== null && this.run.fn ? ERR_BUSY_FUNCTION : ERR_BUSY_EVAL;
      if ((bits & CMD_ALLOW_BUSY) === 0) return busy;
      // SHUTDOWN only with NOSAVE while a script is busy (Redis's shutdownCommand).
      if (spec.name === 'shutdown' && !argv.some((a) => a.toLowerCase() === 'nosave')) return busy;
      return null;
    });
    this.client = new ScriptClient(server, null, server.ks.dbs[0], server.newClientId());
  }

  /** Called with each new VM once its prelude is loaded (the function libraries load again into it). */
  onNewVm: ((vm: LuaVM) => void) | null = null;
  /** The library load under way (FUNCTION LOAD): its start, for the load timeout. */
  loadStartMs = -1;

  /** The VM, created on first use (and again after SCRIPT FLUSH). */
  lua(): LuaVM {
    if (this.vm !== null) return this.vm;
    const guard = (fn: (vm: LuaVM) => number) => (vm: LuaVM): number => {
      let msg: string;
      try {
        return fn(vm);
      } catch (e) {
        // A Lua error raised by vm.raise() unwinds as emscripten's "longjmp": let it through.
        if (e === 'longjmp') throw e;
        msg = `internal error: ${(e as Error).message}`;
        this.server.log.warning(`Lua host function failed: ${(e as Error).stack ?? msg}`);
      }
      return vm.raise(msg);
    };
    const vm = new LuaVM(
      {
        getenv: guard((v) => this.redisCall(v, true)),
        execute: guard((v) => this.redisCall(v, false)),
        tmpname: guard((v) => this.sha1hex(v)),
        setlocale: guard((v) => this.redisLog(v)),
        difftime: guard((v) => this.setResp(v)),
        rename: guard((v) => this.setRepl(v)),
        popen: guard((v) => this.aclCheck(v)),
        tmpfile: guard((v) => this.mathRandom(v)),
        traceback: guard((v) => this.internal(v)),
      },
      LUA_HEAP_BYTES,
    );
    if (vm.load(PRELUDE, PRELUDE_CHUNK) !== 0 || vm.pcall(0, 1) !== 0) throw new Error(`Lua prelude: ${vm.str(-1)}`);
    vm.setRegistry('cinnabar');
    vm.getRegistry('cinnabar');
    for (const name of ['run', 'compile', 'forget', 'numarg', 'encode', 'reply', 'raise', 'fload', 'fdrop', 'fcall']) {
      vm.getField(-1, name);
      vm.setRegistry(name);
    }
    vm.setTop(0);
    this.vm = vm;
    this.onNewVm?.(vm);
    return vm;
  }

  // ---- the script cache -----------------------------------------------------------------

  static sha1(body: string): string {
    return createHash('sha1').update(body, 'latin1').digest('hex');
  }

  /** Compiles `body` as f_<sha> (and caches it); returns the sha, or the compile error message. */
  private compile(body: string): { sha: string } | { err: string } {
    const sha = Scripting.sha1(body);
    if (this.scripts.has(sha)) return { sha };
    const shebang = parseShebang(body);
    if ('err' in shebang) return { err: shebang.err };
    const vm = this.lua();
    vm.getRegistry('compile');
    vm.pushPlain('f_' + sha);
    // The shebang line stays part of the code, commented out, so line numbers stay those of the body.
    const code = shebang.len > 0 ? '--' + body : body;
    const esc = vm.pushString(code);
    vm.pushPlain(esc ? '1' : '0');
    vm.pushPlain('@user_script');
    if (vm.pcall(4, 1) !== 0) {
      const e = vm.str(-1) ?? 'error';
      vm.setTop(0);
      return { err: `ERR Error compiling script (new function): ${e}` };
    }
    const err = vm.type(-1) === LUA_TSTRING ? vm.str(-1) : null;
    vm.setTop(0);
    if (err !== null) return { err: `ERR Error compiling script (new function): ${err}` };
    this.scripts.set(sha, body);
    return { sha };
  }

  flush(): void {
    this.scripts.clear();
    // A new VM, as Redis makes a new lua_State: the old one's memory goes with it.
    this.vm = null;
  }

  // ---- running ---------------------------------------------------------------------------

  /** EVAL/EVALSHA[_RO]: numkeys checks, the cache, flags, then the run. */
  eval(c: Client, argv: string[], bySha: boolean, ro: boolean): void {
    const nk = parseNumkeys(argv[2], argv.length - 3);
    if (typeof nk === 'string') {
      c.addError(nk);
      return;
    }
    let sha: string;
    let body: string | undefined;
    if (bySha) {
      sha = argv[1].toLowerCase();
      body = this.scripts.get(sha);
      if (body === undefined) {
        c.addError(ERR_NOSCRIPT);
        return;
      }
    } else {
      const r = this.compile(argv[1]);
      if ('err' in r) {
        c.addError(r.err);
        return;
      }
      sha = r.sha;
      body = argv[1];
    }
    const flags = parseShebang(body);
    if ('err' in flags) {
      c.addError(flags.err);
      return;
    }
    // EVAL is never propagated itself: its effects are.
    c.preventPropagation();
    if (flags.shebang) {
      const refused = this.prepareFlagged(c, flags.flags, ro);
      if (refused !== null) {
        c.addError(refused);
        return;
      }
    }
    this.runScript(c, sha, argv, nk, ro || flags.flags.noWrites, flags.flags.allowOom, null);
  }

  /**
   * The checks before a script with a shebang runs (Redis's scriptPrepareForRun):
   * its flags against the server's state, with Redis 7.2's errors. A script
   * without one is checked at each write instead (redis.call).
   */
  prepareFlagged(c: Client, f: ShebangFlags, ro: boolean): string | null {
    const s = this.server;
    if (f.noCluster && s.config.getBool('cluster-enabled')) return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
    if (!f.allowOom && !f.noWrites && s.maxmemory > 0 && !s.performEvictions()) return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
    if (f.noWrites) return null;
    // The server's refusals of a write, asked with a plain SET.
    const set = s.commands.lookup('set');
    if (set !== undefined) {
      const verdict = runPhases(s.phases.script, c, set, ['set', '', ''], CMD_WRITE | CMD_DENYOOM);
      if (verdict !== null) {
        if (verdict.startsWith('READONLY')) return 'READONLY Can not run script with write flag on readonly replica';
        if (verdict.startsWith('MISCONF Redis is configured to save RDB snapshots')) {
          return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
        }
        if (verdict.startsWith('MISCONF')) return verdict;
        if (ro) return 'ERR Can not execute a script with write flag using *_ro command.';
        return verdict;
      }
    }
    if (ro) return 'ERR Can not execute a script with write flag using *_ro command.';
    return null;
  }

  /**
   * Runs script f_<sha> (EVAL), or, with `lib` (a library's token), the function
   * named `sha` of that library (FCALL): the same run, error format and busy handling.
   */
  runScript(c: Client, sha: string, argv: string[], nk: number, readOnly: boolean, allowOom: boolean, lib: string | null): void {
    const s = this.server;
    const vm = this.lua();
    const sc = this.client;
    sc.db = c.db;
    sc.resp = 2;
    const ctx: RunCtx = {
      caller: c,
      sha,
      readOnly,
      allowOom,
      oomAtStart: s.maxmemory > 0 && !s.performEvictions(),
      wrote: false,
      resp: 2,
      repl: 3,
      startMs: Date.now(),
      killRequested: false,
      busy: false,
      fn: lib !== null,
      argv,
    };
    this.run = ctx;
    const base = vm.top();
    try {
      if (lib === null) {
        vm.getRegistry('run');
        vm.pushPlain('f_' + sha);
      } else {
        vm.getRegistry('fcall');
        vm.pushPlain(lib);
        vm.pushPlain(sha);
      }
      vm.pushPlain(String(nk));
      let esc = '';
      const n = argv.length - 3;
      // The indices of escaped arguments are pushed before the arguments: gather them first.
      for (let i = 0; i < n; i++) if (/[\0\x01]/.test(argv[3 + i])) esc += `${i + 1},`;
      vm.pushPlain(esc);
      for (let i = 0; i < n; i++) vm.pushString(argv[3 + i]);
      if (vm.pcall((lib === null ? 3 : 4) + n, 4) !== 0) {
        c.addError(lib === null ? `ERR Error running script (call to f_${sha}): ${vm.str(-1) ?? 'error'}` : `ERR Error running function ${sha}: ${vm.str(-1) ?? 'error'}`);
        return;
      }
      if (vm.str(base + 1) === 'ok') {
        vm.getRegistry('encode');
        vm.pushValue(base + 2);
        vm.pushPlain(c.resp === 3 ? '1' : '0');
        vm.pushPlain(ctx.resp === 3 ? '1' : '0');
        if (vm.pcall(3, 1) !== 0) {
          c.addError(`ERR ${vm.str(-1) ?? 'error'}`);
          return;
        }
        const payload = vm.str(-1) ?? '';
        if (payload.charCodeAt(0) === 45 /* - */) c.addError(payload.slice(1, payload.length - 2));
        else c.write(payload);
      } else {
        const msg = vm.str(base + 2) ?? 'ERR unknown error';
        const source = vm.type(base + 3) === LUA_TSTRING ? vm.str(base + 3) : null;
        const line = vm.type(base + 4) === LUA_TNUMBER ? vm.str(base + 4) : null;
        c.addError(source !== null && line !== null ? `${msg} script: ${sha}, on ${source}:${line}.` : msg);
      }
    } finally {
      vm.setTop(base);
      if (ctx.busy) {
        this.busyPhase.set(false);
        this.server.log.warning('Slow script finished, the server answers other clients again.');
      }
      this.run = null;
      // Back to the caller's: the script's client may have SELECTed another database.
      sc.db = c.db;
    }
  }

  // ---- the host functions (see prelude.ts) ------------------------------------------------

  /** Internal operations of the prelude: the hook's tick, math.randomseed, the version. */
  private internal(vm: LuaVM): number {
    const op = vm.str(1);
    if (op === 'k') return this.hookTick(vm);
    if (op === 'l') return this.loadTick(vm);
    if (op === 'R') {
      this.rand.seed(Number(vm.str(2) ?? 0) || 0);
      return 0;
    }
    if (op === 'v') {
      vm.pushPlain(REDIS_VERSION);
      vm.pushPlain(String(REDIS_VERSION_NUM));
      return 2;
    }
    return 0;
  }

  /** redis.sha1hex(s). */
  private sha1hex(vm: LuaVM): number {
    if (vm.top() !== 1) vm.raise('wrong number of arguments');
    const t = vm.type(1);
    const v = t === LUA_TSTRING || t === LUA_TNUMBER ? vm.str(1)! : '';
    vm.pushPlain(createHash('sha1').update(v, 'latin1').digest('hex'));
    return 1;
  }

  /** redis.setresp(2|3). */
  private setResp(vm: LuaVM): number {
    if (vm.top() !== 1) vm.raise('redis.setresp() requires one argument.');
    const v = vm.type(1) === LUA_TNUMBER || vm.type(1) === LUA_TSTRING ? Number(vm.str(1)) : NaN;
    if (v !== 2 && v !== 3) vm.raise('RESP version must be 2 or 3.');
    if (this.run !== null) this.run.resp = v;
    return 0;
  }

  /** redis.set_repl(flags). */
  private setRepl(vm: LuaVM): number {
    if (vm.top() !== 1) vm.raise('redis.set_repl() requires two arguments.');
    const v = vm.type(1) === LUA_TNUMBER ? Number(vm.str(1)) : NaN;
    if (!Number.isInteger(v) || v < 0 || v > 3) vm.raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    if (this.run !== null) this.run.repl = v;
    return 0;
  }

  /** math.random([m [, n]]) on Redis's rand48, as Redis's redis_math_random. */
  private mathRandom(vm: LuaVM): number {
    const r = (this.rand.next() % LRAND48_MAX) / LRAND48_MAX;
    const n = vm.top();
    let v: number;
    const intArg = (i: number): number => {
      const t = vm.type(i);
      const x = t === LUA_TNUMBER || t === LUA_TSTRING ? Number(vm.str(i)) : NaN;
      if (Number.isNaN(x)) vm.raise(`bad argument #${i} to 'random' (number expected, got ${t === LUA_TSTRING ? 'string' : typeNames[t] ?? 'no value'})`, true);
      return Math.trunc(x) | 0;
    };
    if (n === 0) v = r;
    else if (n === 1) {
      const u = intArg(1);
      if (u < 1) vm.raise("bad argument #1 to 'random' (interval is empty)", true);
      v = Math.floor(r * u) + 1;
    } else if (n === 2) {
      const l = intArg(1);
      const u = intArg(2);
      if (l > u) vm.raise("bad argument #2 to 'random' (interval is empty)", true);
      v = Math.floor(r * (u - l + 1)) + l;
    } else vm.raise('wrong number of arguments', true);
    vm.getRegistry('reply');
    vm.pushPlain('i');
    vm.pushPlain(String(v));
    vm.call(2, 1);
    return 1;
  }

  /** The arguments 2..top of a redis.call as strings, or an error message. */
  private callArgs(vm: LuaVM): string[] | string {
    const top = vm.top();
    if (top < 1) return 'Please specify at least one argument for this redis lib call';
    const argv = new Array<string>(top);
    for (let i = 1; i <= top; i++) {
      const t = vm.type(i);
      if (t === LUA_TSTRING) argv[i - 1] = vm.str(i)!;
      else if (t === LUA_TNUMBER) argv[i - 1] = this.numArg(vm, i);
      else return 'Lua redis lib command arguments must be strings or integers';
    }
    return argv;
  }

  /** A number argument as Redis 7.2 formats it (fpconv_dtoa; 7.0 used %.17g). */
  private numArg(vm: LuaVM, i: number): string {
    const top = vm.top();
    vm.getRegistry('numarg');
    vm.pushValue(i);
    const r = vm.pcall(1, 1) === 0 ? vm.str(-1)! : vm.str(i)!;
    vm.setTop(top);
    return r;
  }

  /** redis.call (raising: errors are Lua errors) and redis.pcall (errors are returned as {err=...}). */
  private redisCall(vm: LuaVM, raising: boolean): number {
    const r = this.execCall(vm);
    if (raising && (r.tag === 'e' || (r.tag === 'r' && r.v.charCodeAt(0) === 45))) {
      vm.raise(r.tag === 'e' ? r.v : r.v.slice(0, r.v.indexOf('\r\n')));
    }
    vm.getRegistry('reply');
    if (/[\0\x01]/.test(r.v)) {
      vm.pushPlain(r.tag === 'b' ? 'B' : r.tag === 'r' ? 'R' : r.tag);
      vm.pushString(r.v);
    } else {
      vm.pushPlain(r.tag);
      vm.pushPlain(r.v);
    }
    vm.call(2, 1);
    return 1;
  }

  /** Runs one redis.call: its tag and payload for the prelude's reply(). */
  private execCall(vm: LuaVM): Tagged {
    const args = this.callArgs(vm);
    if (typeof args === 'string') return fail(args);
    const ctx = this.run;
    if (ctx === null) return fail('This Redis command is not allowed from script');
    const s = this.server;
    let spec = s.commands.lookup(args[0]);
    if (spec !== undefined && spec.subcommands !== undefined && args.length >= 2) spec = findSubcommand(spec, args[1]);
    if (spec === undefined || spec.handler === undefined) return fail('Unknown Redis command called from script');
    if ((spec.arity > 0 && args.length !== spec.arity) || args.length < -spec.arity) return fail('Wrong number of args calling Redis command from script');
    const bits = specBits(spec);
    if ((bits & CMD_NOSCRIPT) !== 0) return fail('This Redis command is not allowed from script');
    // ACL for every call, reads too, as the caller's user (scriptVerifyACL).
    const denied = s.aclScriptCheck(ctx.caller, spec, args, bits);
    if (denied !== null) return fail('-' + denied);
    const sc = this.client;
    if ((bits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0 && ctx.readOnly) return fail('Write commands are not allowed from read-only scripts.');
    if ((bits & CMD_WRITE) !== 0 && !ctx.wrote) {
      // The server's state can refuse a write only before the script's first one: it cannot stop halfway.
      const verdict = runPhases(s.phases.script, sc, spec, args, bits);
      if (verdict !== null) return fail('-' + verdict);
      if (ctx.oomAtStart && !ctx.allowOom && (bits & CMD_DENYOOM) !== 0) return fail("-OOM command not allowed when used memory > 'maxmemory'.");
    }
    sc.resp = ctx.resp;
    sc.out = '';
    sc.flags &= ~CLIENT_MULTI;
    s.call(sc, spec, args);
    // Any write command run counts, as Redis's SCRIPT_WRITE_DIRTY (even one that changed nothing).
    if ((bits & CMD_WRITE) !== 0) ctx.wrote = true;
    const out = sc.out;
    sc.out = '';
    return tagReply(out);
  }

  /** The count hook's tick while a library loads: past FUNCTION_LOAD_TIMEOUT_MS, the load's error. */
  private loadTick(vm: LuaVM): number {
    if (this.loadStartMs >= 0 && Date.now() - this.loadStartMs >= FUNCTION_LOAD_TIMEOUT_MS) {
      vm.pushPlain('FUNCTION LOAD timeout');
      return 1;
    }
    return 0;
  }

  /**
   * The count hook's tick (every HOOK_COUNT instructions, every line once killed).
   * Past busy-reply-threshold the script is busy: the tick serves the other
   * clients (serveWhileBusy) and returns the kill error once SCRIPT KILL asked.
   */
  private hookTick(vm: LuaVM): number {
    const ctx = this.run;
    if (ctx === null) return 0;
    const now = Date.now();
    if (!ctx.busy) {
      const threshold = this.server.config.getNumber('busy-reply-threshold');
      if (threshold > 0 && now - ctx.startMs >= threshold) {
        ctx.busy = true;
        this.busyPhase.set(true);
        this.server.log.warning(
          `Slow script detected: still in execution after ${now - ctx.startMs} milliseconds. You can try killing the script using the ${ctx.fn ? 'FUNCTION' : 'SCRIPT'} KILL command. Script name is: ${ctx.sha}.`,
        );
      }
    }
    if (ctx.busy && now - this.lastServe >= BUSY_SERVE_INTERVAL_MS) {
      this.lastServe = now;
      this.serveWhileBusy(ctx);
    }
    if (ctx.killRequested) {
      vm.pushPlain('Script killed by user with SCRIPT KILL...');
      return 1;
    }
    return 0;
  }

  /**
   * While a script is busy the event loop cannot run (the script holds it), so the
   * hook serves the connected clients itself, as Redis's processEventsWhileBlocked:
   * it reads what each socket has (non-blocking, straight from its descriptor),
   * runs the commands (the busy phase answers -BUSY to all but SCRIPT KILL,
   * FUNCTION KILL, SHUTDOWN NOSAVE and the other allow_busy commands) and writes
   * the replies to the descriptor. A client whose socket still has queued output is
   * left for later (writing past it would reorder its replies), and so is the
   * caller; a connection that arrives meanwhile waits in the listen backlog.
   */
  private serveWhileBusy(ctx: RunCtx): void {
    const s = this.server;
    for (const c of s.clients.values()) {
      if (c === ctx.caller || c.socket === null || this.run !== ctx) continue;
      const sock = c.socket as unknown as { _handle?: { fd?: number } | null; writableLength: number };
      const fd = sock._handle?.fd;
      if (fd === undefined || fd < 0 || sock.writableLength > 0) continue;
      // Replies are written after the poll phase (networking.ts ioFlush), which cannot
      // run under the script: a reply to a command read in the same turn as the
      // script's is still in c.out, and its client waits for it before sending more.
      if (c.out.length > 0) this.writeNow(c, fd);
      let n = 0;
      try {
        n = readSync(fd, this.readBuf, 0, BUSY_READ_BYTES, null);
      } catch {
        continue; // EAGAIN: nothing to read
      }
      if (n <= 0) continue;
      c.netIn += n;
      s.stats.netInput += n;
      c.parser.feed(this.readBuf.subarray(0, n), true);
      try {
        s.processInputBuffer(c);
      } finally {
        c.parser.releaseInput();
      }
      this.writeNow(c, fd);
    }
  }

  /** Writes a client's pending output to its descriptor now (what does not fit stays for the event loop). */
  private writeNow(c: Client, fd: number): void {
    if (c.out.length === 0) return;
    const buf = Buffer.from(c.out, 'latin1');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    } catch {
      /* EAGAIN: the rest goes out through the event loop */
    }
    c.netOut += off;
    this.server.stats.netOutput += off;
    c.out = off >= buf.length ? '' : buf.toString('latin1', off);
  }

  /** redis.log(level, message...): errors as Redis's luaLogCommand. */
  private redisLog(vm: LuaVM): number {
    const top = vm.top();
    if (top < 2) vm.raise('redis.log() requires two arguments or more.');
    if (vm.type(1) !== LUA_TNUMBER) vm.raise('First argument must be a number (log level).');
    const level = Number(vm.str(1));
    if (!(level >= 0 && level <= 3)) vm.raise('Invalid debug level.');
    const parts: string[] = [];
    for (let i = 2; i <= top; i++) {
      const t = vm.type(i);
      if (t === LUA_TSTRING || t === LUA_TNUMBER) parts.push(vm.str(i)!);
    }
    const msg = parts.join(' ');
    const log = this.server.log;
    if (level === 0) log.debug(msg);
    else if (level === 1) log.verbose(msg);
    else if (level === 2) log.notice(msg);
    else log.warning(msg);
    return 0;
  }

  /** redis.acl_check_cmd(cmd, args...): whether the calling client's user may run the command with these arguments. */
  private aclCheck(vm: LuaVM): number {
    const args = this.callArgs(vm);
    if (typeof args === 'string') vm.raise(args);
    if (args.length < 1) vm.raise('Please specify at least one argument for this redis lib call');
    const s = this.server;
    let spec = s.commands.lookup(args[0]);
    if (spec !== undefined && spec.subcommands !== undefined && args.length >= 2) spec = findSubcommand(spec, args[1]);
    if (spec === undefined) vm.raise('Invalid command passed to redis.acl_check_cmd()');
    const ctx = this.run;
    const ok = ctx === null ? true : s.aclAllows(ctx.caller, spec, args, specBits(spec));
    vm.getRegistry('reply');
    vm.pushPlain(ok ? 't' : 'n');
    vm.pushPlain('');
    vm.call(2, 1);
    return 1;
  }

  // ---- SCRIPT ----------------------------------------------------------------------------

  scriptLoad(c: Client, argv: string[]): void {
    const r = this.compile(argv[2]);
    if ('err' in r) c.addError(r.err);
    else c.addBulk(r.sha);
  }

  scriptExists(c: Client, argv: string[]): void {
    c.addArrayLen(argv.length - 2);
    for (let i = 2; i < argv.length; i++) c.addInt(this.scripts.has(argv[i].toLowerCase()) ? 1 : 0);
  }

  scriptFlush(c: Client, argv: string[]): void {
    if (argv.length > 3 || (argv.length === 3 && !['sync', 'async'].includes(argv[2].toLowerCase()))) {
      c.addError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      return;
    }
    this.flush();
    c.addOk();
  }

  /** SCRIPT DEBUG: NO is the only mode (Cinnabar has no Lua debugger; see known-differences). */
  scriptDebug(c: Client, argv: string[]): void {
    const mode = argv[2].toLowerCase();
    if ((c.flags & CLIENT_MULTI) !== 0) c.addError('ERR SCRIPT DEBUG must be called outside MULTI');
    else if (mode === 'no') c.addOk();
    else if (mode === 'yes' || mode === 'sync') c.addError('ERR SCRIPT DEBUG YES|SYNC: Cinnabar has no Lua debugger');
    else c.addError('ERR Use SCRIPT DEBUG YES/SYNC/NO');
  }

  /** SCRIPT KILL (fn false) and FUNCTION KILL (fn true): each stops only its own kind. */
  scriptKill(c: Client, fn = false): void {
    const ctx = this.run;
    if (ctx === null) {
      c.addError('NOTBUSY No scripts in execution right now.');
      return;
    }
    if (ctx.wrote) {
      c.addError('UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.');
      return;
    }
    // The other kind's: the -BUSY error of what runs (Redis's scriptKill).
    if (ctx.fn !== fn) {
      c.addError(ctx.fn ? ERR_BUSY_FUNCTION : ERR_BUSY_EVAL);
      return;
    }
    ctx.killRequested = true;
    c.addOk();
  }
}

/** A command's reply as the prelude's reply() takes it: a tag and a payload. */
interface Tagged {
  tag: string;
  v: string;
}

const typeNames: Record<number, string> = { 0: 'nil', 1: 'boolean', 3: 'number', 4: 'string', 5: 'table', 6: 'function' };

/** The tag of a command's reply: a lone bulk, integer, status or null crosses as its value, anything else as RESP. */
function tagReply(out: string): Tagged {
  const t = out.charCodeAt(0);
  if (t === 36 /* $ */) {
    if (out === '$-1\r\n') return { tag: 'n', v: '' };
    const e = out.indexOf('\r\n');
    const len = Number(out.slice(1, e));
    if (e + 2 + len + 2 === out.length) return { tag: 'b', v: out.slice(e + 2, e + 2 + len) };
  } else if (t === 58 /* : */) {
    const e = out.indexOf('\r\n');
    if (e + 2 === out.length) return { tag: 'i', v: out.slice(1, e) };
  } else if (t === 43 /* + */) {
    const e = out.indexOf('\r\n');
    if (e + 2 === out.length) return { tag: 's', v: out.slice(1, e) };
  } else if (t === 95 /* _ */ && out === '_\r\n') {
    return { tag: 'x', v: '' };
  }
  return { tag: 'r', v: out };
}

/** An error of redis.call itself (not a command's error reply). */
function fail(msg: string): Tagged {
  return { tag: 'e', v: msg };
}

/** numkeys as Redis checks it: an integer, not negative, not more than the arguments. */
export function parseNumkeys(s: string, nargs: number): number | string {
  if (!/^-?\d+$/.test(s) || s.length > 20) return ERR_NOT_INT;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return ERR_NOT_INT;
  if (n > nargs) return "ERR Number of keys can't be greater than number of args";
  if (n < 0) return "ERR Number of keys can't be negative";
  return n;
}

const NO_FLAGS: ShebangFlags = { noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };

/** The `#!lua flags=...` line of a script: its flags and length, or Redis's error. No shebang: the flags of a script without one. */
export function parseShebang(body: string): { flags: ShebangFlags; len: number; shebang: boolean } | { err: string } {
  if (!body.startsWith('#!')) return { flags: NO_FLAGS, len: 0, shebang: false };
  let end = body.indexOf('\n');
  if (end < 0) end = body.length;
  const parts = body.slice(2, end).split(' ').filter((p) => p.length > 0);
  if (parts.length === 0 || parts[0] !== 'lua') return { err: `ERR Unexpected engine in script shebang: ${body.slice(0, end).split(' ')[0]}` };
  const flags: ShebangFlags = { ...NO_FLAGS };
  for (const p of parts.slice(1)) {
    if (!p.startsWith('flags=')) return { err: `ERR Unknown lua shebang option: ${p}` };
    for (const f of p.slice(6).split(',')) {
      if (f === '') continue;
      if (f === 'no-writes') flags.noWrites = true;
      else if (f === 'allow-oom') flags.allowOom = true;
      else if (f === 'allow-stale') flags.allowStale = true;
      else if (f === 'no-cluster') flags.noCluster = true;
      else if (f === 'allow-cross-slot-keys') flags.allowCrossSlot = true;
      else return { err: `ERR Unexpected flag in script shebang: ${f}` };
    }
  }
  return { flags, len: end, shebang: true };
}

const states = new WeakMap<Server, Scripting>();

/** The scripting state of a server (for INFO, tests and the other subsystems). */
export function scriptingOf(server: Server): Scripting | undefined {
  return states.get(server);
}

/**
 * The flags the phases see for an EVAL of a script with a shebang (Redis's
 * evalGetCommandFlags / scriptFlagsToCmdFlags): write unless no-writes, denyoom
 * unless allow-oom or no-writes, stale only with allow-stale, never may-replicate.
 */
export function scriptCommandBits(bits: number, f: ShebangFlags): number {
  bits &= ~(CMD_STALE | CMD_DENYOOM | CMD_WRITE | CMD_MAY_REPLICATE);
  if (!f.allowOom && !f.noWrites) bits |= CMD_DENYOOM;
  if (!f.noWrites) bits |= CMD_WRITE;
  if (f.allowStale) bits |= CMD_STALE;
  return bits;
}

/** Binds the scripting commands on a server's table (from compose/). */
export function installScripting(server: Server): Scripting {
  const st = new Scripting(server);
  states.set(server, st);
  const bySource = (argv: string[], bits: number): number => {
    const body = argv[1];
    if (body === undefined || body.charCodeAt(0) !== 35 /* # */) return bits;
    const f = parseShebang(body);
    return 'err' in f || !f.shebang ? bits : scriptCommandBits(bits, f.flags);
  };
  const bySha = (argv: string[], bits: number): number => {
    const body = argv[1] === undefined || argv[1].length !== 40 ? undefined : st.scripts.get(argv[1].toLowerCase());
    return body === undefined ? bits : bySource([argv[0], body], bits);
  };
  for (const [name, fn] of [['eval', bySource], ['eval_ro', bySource], ['evalsha', bySha], ['evalsha_ro', bySha]] as const) {
    const spec = server.commands.lookup(name);
    if (spec !== undefined) spec.flagsOf = fn;
  }
  server.commands.provideAll({
    eval: (c, argv) => st.eval(c as Client, argv, false, false),
    evalsha: (c, argv) => st.eval(c as Client, argv, true, false),
    eval_ro: (c, argv) => st.eval(c as Client, argv, false, true),
    evalsha_ro: (c, argv) => st.eval(c as Client, argv, true, true),
    'script|load': (c, argv) => st.scriptLoad(c as Client, argv),
    'script|exists': (c, argv) => st.scriptExists(c as Client, argv),
    'script|flush': (c, argv) => st.scriptFlush(c as Client, argv),
    'script|kill': (c) => st.scriptKill(c as Client),
    'script|debug': (c, argv) => st.scriptDebug(c as Client, argv),
    'script|help': (c) => addHelp(c, SCRIPT_HELP),
  });
  return st;
}
