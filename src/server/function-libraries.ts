// The function libraries of a server (FUNCTION LOAD) as persistence and
// replication see them: the code of each library, to write into an RDB (the
// functions aux records), an AOF rewrite or a full sync, and to put back from a
// loaded RDB. The scripting subsystem provides them (scripting/functions.ts);
// this interface sits here so that the subsystems beside it need not import one
// another. A server without it has no functions.

import type { Server } from './server.js';

export interface FunctionLibraries {
  /** The code of every library, in load order. */
  codes(): string[];
  /**
   * Puts back the libraries of a loaded RDB: `replace` drops every library first
   * (a full load), `merge` replaces only those of the same name. Atomic: on an
   * error nothing changes and the error (Redis's wording) is returned.
   */
  restore(codes: string[], mode: 'replace' | 'merge'): string | null;
}

const providers = new WeakMap<Server, FunctionLibraries>();

export function setFunctionLibraries(server: Server, libs: FunctionLibraries): void {
  providers.set(server, libs);
}

export function functionLibrariesOf(server: Server): FunctionLibraries | undefined {
  return providers.get(server);
}
