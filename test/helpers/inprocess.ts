/**
 * A Cinnabar server running in the test process (port 0, 127.0.0.1, no
 * persistence, log level warning), for tests that look inside: what the
 * commands propagate, `server.dirty`, encodings, internal state. Commands
 * still arrive over a real socket.
 *
 *   let ip: InProcess;
 *   before(async () => { ip = await startInProcess({ throwOnError: true }); });
 *   after(() => ip?.close());
 *   assert.deepEqual(await ip.propagated(['SET', 'k', 'v']), [['SET', 'k', 'v']]);
 */
import { createServer } from '../../src/compose/compose.js';
import { RespClient, formatReply } from '../../src/protocol/resp-client.js';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';

/** One change as it left the server through the propagation hook. */
export interface Propagation {
  db: number;
  argv: string[];
  flags: number;
}

export interface InProcessOptions {
  /** `propagated` throws when a command answers with an error (default: errors are ignored). */
  throwOnError?: boolean;
  /** Configuration directives applied before the server is built (name -> value). */
  config?: Record<string, string>;
}

export interface InProcess {
  server: Server;
  /** A connection to `server`. */
  client: RespClient;
  /**
   * Every change propagated so far, in order. `propagated` empties it first;
   * tests may also clear it themselves (`seen.length = 0`): it is always the
   * same array.
   */
  readonly seen: Propagation[];
  /** Clears `seen`, runs the commands on `client` one after the other, resolves with the argv of what they propagated. */
  propagated(...cmds: string[][]): Promise<string[][]>;
  /** Another connection to `server` (destroyed by `close`). */
  connect(): Promise<RespClient>;
  /** Closes the connections and the server. */
  close(): Promise<void>;
}

function connectTo(server: Server): Promise<RespClient> {
  return RespClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
}

export async function startInProcess(opts: InProcessOptions = {}): Promise<InProcess> {
  const config = new Config();
  config.set('port', ['0']);
  config.set('bind', ['127.0.0.1']);
  config.set('save', ['']);
  for (const [name, value] of Object.entries(opts.config ?? {})) config.set(name, value === '' ? [''] : value.split(' '), true);
  const log = new Logger();
  log.level = 'warning';
  const server = createServer(config, log);
  await server.listen();
  const seen: Propagation[] = [];
  server.onPropagate((db, argv, flags) => seen.push({ db, argv, flags }));
  let client: RespClient;
  try {
    client = await connectTo(server);
  } catch (e) {
    server.close();
    throw e;
  }
  const others: RespClient[] = [];

  return {
    server,
    client,
    seen,
    async propagated(...cmds: string[][]): Promise<string[][]> {
      seen.length = 0;
      for (const c of cmds) {
        const r = await client.call(...c);
        if (opts.throwOnError && r.t === 'err') throw new Error(`${c.join(' ')}: ${formatReply(r)}`);
      }
      return seen.map((s) => s.argv);
    },
    async connect(): Promise<RespClient> {
      const c = await connectTo(server);
      others.push(c);
      return c;
    },
    async close(): Promise<void> {
      for (const c of others) c.destroy();
      await client.close();
      server.close();
    },
  };
}
