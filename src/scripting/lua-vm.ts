// The Lua 5.1 virtual machine: the reference C Lua 5.1.5 compiled to WebAssembly,
// as the lua-wasm-bindings package ships it (see the README's dependency section
// for why this build and what was measured).
//
// That build exports only part of the C API: no lua_pushcclosure, lua_pushnumber,
// lua_pushlstring, lua_next or lua_sethook. What it has is enough once two things
// are added here:
//
//   - host functions. The module's function table holds the C functions of the
//     standard libraries; the luaL_Reg arrays name their table slots, and the
//     slots of library functions scripts never get (os.getenv, os.execute, ...,
//     io.popen, debug.traceback) are pointed at small WebAssembly functions that
//     call JavaScript. Lua calls them as C functions (so a tail call keeps the
//     script's frame, and errors point at the script's line, as in Redis); they
//     read their arguments with lua_tolstring (binary-safe: the length comes
//     back), push strings with lua_pushstring, build other values by calling
//     prelude helpers with lua_call, and raise errors by lua_call of the
//     prelude's raise(). The os, io and debug libraries are never given to
//     scripts (redis-server 7.0 has none of them).
//   - binary-safe strings both ways. lua_pushstring stops at a NUL, so a string
//     that contains \0 or \1 crosses escaped (\1\1 for \0, \1\2 for \1) with a
//     flag, and the prelude (prelude.ts) unescapes it; other strings cross as
//     they are, which is nearly every string.
//
// Everything Redis builds in C (redis.*, the conversions, the globals protection,
// the error handler) is Lua here, in the prelude, calling the host function.
//
// Memory: the module's heap may grow up to `maxHeapBytes` (its glue is loaded with
// that limit in place of its own 2 GB), past which Lua's allocator fails and the
// script gets Lua's "not enough memory" error. A VM is one WebAssembly instance:
// dropping it frees everything (SCRIPT FLUSH makes a new one, as Redis makes a new
// lua_State).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** Lua's pseudo-indices (lua.h of 5.1). */
export const LUA_REGISTRYINDEX = -10000;
export const LUA_GLOBALSINDEX = -10002;
export const LUA_TNIL = 0;
export const LUA_TBOOLEAN = 1;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_TTABLE = 5;

/** Bytes of the scratch buffer strings are copied through; it grows (doubling) to the largest string, up to the heap. */
const SCRATCH_INITIAL = 64 * 1024;

/** The C functions of the glue module this file calls (emscripten exports them with a leading _). */
interface LuaModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  asm: Record<string, unknown>;
  _malloc(n: number): number;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _luaL_loadbuffer(L: number, buf: number, len: number, name: number): number;
  _lua_pcall(L: number, nargs: number, nres: number, errfunc: number): number;
  _lua_call(L: number, nargs: number, nres: number): void;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_type(L: number, idx: number): number;
  _lua_tolstring(L: number, idx: number, lenp: number): number;
  _lua_pushstring(L: number, p: number): number;
  _lua_pushvalue(L: number, idx: number): void;
  _lua_getfield(L: number, idx: number, k: number): void;
  _lua_setfield(L: number, idx: number, k: number): void;
  _lua_insert(L: number, idx: number): void;
  _lua_close(L: number): void;
}

type GlueFactory = (opts: Record<string, unknown>) => LuaModule;

interface Glue {
  path: string;
  source: string;
}

let glueCache: Glue | null = null;

/** The glue's source with its heap limit made a module option (read once per process; it holds no state). */
function glue(): Glue {
  if (glueCache !== null) return glueCache;
  const require = createRequire(import.meta.url);
  const path = require.resolve('lua-wasm-bindings/dist/glue/glue-lua-5.1.5.js');
  const orig = readFileSync(path, 'utf8');
  const needle = 'var maxHeapSize=2147483648';
  if (!orig.includes(needle)) throw new Error('lua-wasm-bindings: unexpected glue (no heap limit to set)');
  const source = orig.replace(needle, 'var maxHeapSize=Module["maxHeapSize"]||2147483648');
  glueCache = { path, source };
  return glueCache;
}

/** A one-function WebAssembly module: imports e.f (i32) -> i32 and exports it as f, so it can sit in a function table. */
const TRAMPOLINE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type 0: (i32) -> i32
  0x02, 0x07, 0x01, 0x01, 0x65, 0x01, 0x66, 0x00, 0x00, // import "e" "f" func type 0
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f" func 0
]);
let trampolineModule: WebAssembly.Module | null = null;

/** The host function: `vm`'s stack helpers work on the calling Lua thread while it runs; returns the number of results pushed. */
export type HostFn = (vm: LuaVM) => number;

const NEEDS_ESCAPE = /[\0\x01]/;
const ESCAPE_ALL = /[\0\x01]/g;

/** \0 -> \1\1 and \1 -> \1\2 (unescaped by the prelude). */
export function escapeLua(s: string): string {
  return s.replace(ESCAPE_ALL, (m) => (m === '\0' ? '\x01\x01' : '\x01\x02'));
}

export class LuaVM {
  private readonly M: LuaModule;
  readonly L: number;
  /** The Lua thread the stack helpers work on: L, or the coroutine calling the host function. */
  private cur: number;
  private readonly lenp: number;
  private scratch: number;
  private scratchSize: number;
  private view: Buffer;
  /** C strings of names used with getfield/setfield, interned in the heap. */
  private readonly names = new Map<string, number>();
  /** The heap's limit in bytes. */
  readonly maxHeapBytes: number;

  constructor(hosts: Readonly<Record<string, HostFn>>, maxHeapBytes: number) {
    const g = glue();
    const mod = { exports: {} as GlueFactory | Record<string, never> };
    // The glue is emscripten's CommonJS loader; run it as a module of its own folder.
    const require = createRequire(g.path);
    new Function('module', 'exports', 'require', '__filename', '__dirname', g.source)(mod, mod.exports, require, g.path, dirname(g.path));
    this.maxHeapBytes = maxHeapBytes;
    this.M = (mod.exports as GlueFactory)({ print: () => {}, printErr: () => {}, maxHeapSize: maxHeapBytes });
    const M = this.M;
    this.lenp = M._malloc(8);
    this.scratchSize = SCRATCH_INITIAL;
    this.scratch = M._malloc(this.scratchSize);
    this.view = Buffer.from(M.HEAPU8.buffer);
    for (const name of Object.keys(hosts)) this.installHost(name, hosts[name]);
    this.L = M._luaL_newstate();
    this.cur = this.L;
    M._luaL_openlibs(this.L);
  }

  /** Points the function-table slot of the library function `name` (os.getenv...) at `host` (see the header). */
  private installHost(name: string, host: HostFn): void {
    const slot = this.libFunctionSlot(name);
    if (trampolineModule === null) trampolineModule = new WebAssembly.Module(TRAMPOLINE);
    const inst = new WebAssembly.Instance(trampolineModule, {
      e: {
        f: (L: number) => {
          // The caller may be a coroutine: its own lua_State.
          const prev = this.cur;
          this.cur = L;
          try {
            return host(this);
          } finally {
            this.cur = prev;
          }
        },
      },
    });
    const table = Object.values(this.M.asm).find((v) => v instanceof WebAssembly.Table) as WebAssembly.Table | undefined;
    if (table === undefined) throw new Error('lua-wasm-bindings: no function table exported');
    table.set(slot, inst.exports.f as () => number);
  }

  /** The function-table index of the standard library function `name`, from its luaL_Reg entry {name, func}. */
  private libFunctionSlot(name: string): number {
    const heap = Buffer.from(this.M.HEAPU8.buffer);
    const needle = Buffer.from(name + '\0', 'latin1');
    const words = new Int32Array(this.M.HEAPU8.buffer);
    // Static data sits low in the heap: search its first MB.
    const end = Math.min(heap.length, 1 << 20);
    for (let at = heap.indexOf(needle); at >= 0 && at < end; at = heap.indexOf(needle, at + 1)) {
      if (at > 0 && heap[at - 1] !== 0) continue;
      for (let w = 0; w < end >> 2; w++) if (words[w] === at && words[w + 1] > 0) return words[w + 1];
    }
    throw new Error(`lua-wasm-bindings: no luaL_Reg entry for ${name}`);
  }

  private heap(): Buffer {
    if (this.view.buffer !== this.M.HEAPU8.buffer) this.view = Buffer.from(this.M.HEAPU8.buffer);
    return this.view;
  }

  /** A NUL-terminated copy of `name` in the heap, kept for the VM's life (names are few and fixed). */
  cname(name: string): number {
    let p = this.names.get(name);
    if (p === undefined) {
      p = this.M._malloc(name.length + 1);
      const h = this.heap();
      h.write(name, p, 'latin1');
      h[p + name.length] = 0;
      this.names.set(name, p);
    }
    return p;
  }

  /** Copies a latin1 string (no NUL inside) into the scratch buffer, NUL-terminated; returns its address. */
  private toScratch(s: string): number {
    if (s.length + 1 > this.scratchSize) {
      let n = this.scratchSize;
      while (n < s.length + 1) n *= 2;
      const p = this.M._malloc(n);
      if (p === 0) throw new Error('not enough memory');
      // The old buffer is not freed (the build exports no free); it is at most half the new one.
      this.scratch = p;
      this.scratchSize = n;
    }
    const h = this.heap();
    h.write(s, this.scratch, s.length, 'latin1');
    h[this.scratch + s.length] = 0;
    return this.scratch;
  }

  // ---- the stack ----------------------------------------------------------------

  top(): number {
    return this.M._lua_gettop(this.cur);
  }

  setTop(n: number): void {
    this.M._lua_settop(this.cur, n);
  }

  type(i: number): number {
    return this.M._lua_type(this.cur, i);
  }

  /** The string at `i` (a number is converted in place, as lua_tolstring does), or null. Bytes as latin1. */
  str(i: number): string | null {
    const p = this.M._lua_tolstring(this.cur, i, this.lenp);
    if (p === 0) return null;
    const len = this.M.HEAPU32[this.lenp >> 2];
    return this.heap().toString('latin1', p, p + len);
  }

  /** Pushes a string that has no \0 or \1 (see pushString for any string). */
  pushPlain(s: string): void {
    this.M._lua_pushstring(this.cur, this.toScratch(s));
  }

  /** Pushes `s` escaped when it must be; returns whether it was (the prelude unescapes it then). */
  pushString(s: string): boolean {
    if (NEEDS_ESCAPE.test(s)) {
      this.pushPlain(escapeLua(s));
      return true;
    }
    this.pushPlain(s);
    return false;
  }

  pushValue(i: number): void {
    this.M._lua_pushvalue(this.cur, i);
  }

  getGlobal(name: string): void {
    this.M._lua_getfield(this.cur, LUA_GLOBALSINDEX, this.cname(name));
  }

  setGlobal(name: string): void {
    this.M._lua_setfield(this.cur, LUA_GLOBALSINDEX, this.cname(name));
  }

  getRegistry(name: string): void {
    this.M._lua_getfield(this.cur, LUA_REGISTRYINDEX, this.cname(name));
  }

  setRegistry(name: string): void {
    this.M._lua_setfield(this.cur, LUA_REGISTRYINDEX, this.cname(name));
  }

  getField(idx: number, name: string): void {
    this.M._lua_getfield(this.cur, idx, this.cname(name));
  }

  /** Loads a chunk (binary-safe: its length is given) and leaves the function, or the error message, on the stack; returns Lua's status. */
  load(code: string, chunkName: string): number {
    const buf = Buffer.from(code, 'latin1');
    const p = this.M._malloc(buf.length + 1);
    if (p === 0) throw new Error('not enough memory');
    this.heap().set(buf, p);
    // The build exports no free: chunks loaded this way are the prelude's, once per VM.
    return this.M._luaL_loadbuffer(this.cur, p, buf.length, this.cname(chunkName));
  }

  /**
   * Raises a Lua error from a host function (`where`: a string error prefixed with
   * the script's position, as luaL_error): calls the prelude's raise(msg) with
   * lua_call, whose error unwinds (as emscripten's longjmp, a JS throw) through the
   * host function back into Lua. Never returns.
   */
  raise(msg: string, where = false): never {
    this.getRegistry('raise');
    const esc = this.pushString(msg);
    this.pushPlain(esc ? '1' : '0');
    this.pushPlain(where ? '1' : '0');
    this.M._lua_call(this.cur, 3, 0);
    throw new Error('lua_call of raise returned');
  }

  /** lua_call (unprotected: an error unwinds to the caller's protected call). */
  call(nargs: number, nres: number): void {
    this.M._lua_call(this.cur, nargs, nres);
  }

  /** lua_pcall; returns Lua's status (0 ok). */
  pcall(nargs: number, nres: number): number {
    return this.M._lua_pcall(this.cur, nargs, nres, 0);
  }

  /** Bytes of the module's heap (grows, never shrinks). */
  heapBytes(): number {
    return this.M.HEAPU8.length;
  }
}
