/**
 * Helpers for the slot migration tests and bench: a cluster client that follows
 * MOVED itself and counts every redirection and error by kind (so a test can say
 * "no ASK, no TRYAGAIN"), the logical value of a key (type-independent of the
 * encoding, so two servers' datasets compare), a whole cluster's dataset, and the
 * wait for a slot migration job to end.
 */
import { RespClient, toPlain, type Plain, type Reply } from '../../src/protocol/resp-client.js';
import { keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { call, waitFor } from './wait.js';

/** Redirections a command may follow before the client gives up. */
const MAX_REDIRECTS = 16;
/** Keys SCAN asks for per call when dumping a dataset. */
const SCAN_COUNT = '1000';

export interface ErrorCounts {
  moved: number;
  ask: number;
  tryagain: number;
  other: number;
  /** The first few other errors, for the assertion message. */
  samples: string[];
}

/** A cluster client over plain connections: slot -> port cache, MOVED updates it. */
export class MovedClient {
  readonly errors: ErrorCounts = { moved: 0, ask: 0, tryagain: 0, other: 0, samples: [] };
  private readonly conns = new Map<number, RespClient>();
  private readonly slotPort = new Map<number, number>();

  /** `followAsk`: on ASK, send ASKING and the command to the named node once (as cluster clients do). */
  constructor(
    private readonly seedPort: number,
    private readonly followAsk = false,
  ) {}

  private async conn(port: number): Promise<RespClient> {
    let c = this.conns.get(port);
    if (c === undefined || c.closed) {
      c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 3000, commandTimeoutMs: 10000 });
      this.conns.set(port, c);
    }
    return c;
  }

  /** Runs a single-key command where its slot lives; returns the final reply (an error other than MOVED counts). */
  async call(key: string, ...args: string[]): Promise<Reply> {
    const slot = keyHashSlot(key);
    let port = this.slotPort.get(slot) ?? this.seedPort;
    for (let i = 0; i < MAX_REDIRECTS; i++) {
      const r = await (await this.conn(port)).call(...args);
      if (r.t !== 'err') return r;
      const m = /^(MOVED|ASK) (\d+) [^:]*:(\d+)$/.exec(r.v);
      if (m !== null && m[1] === 'MOVED') {
        this.errors.moved++;
        port = Number(m[3]);
        this.slotPort.set(slot, port);
        continue;
      }
      if (m !== null) {
        this.errors.ask++;
        if (this.followAsk) {
          const ac = await this.conn(Number(m[3]));
          const [, ar] = await ac.pipeline([['ASKING'], args]);
          if (ar!.t !== 'err') return ar!;
          if (ar!.v.startsWith('TRYAGAIN')) this.errors.tryagain++;
          else this.countOther(ar!.v);
          return ar!;
        }
      } else if (r.v.startsWith('TRYAGAIN')) this.errors.tryagain++;
      else this.countOther(r.v);
      return r;
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirections for ${args.join(' ')}`);
  }

  private countOther(msg: string): void {
    this.errors.other++;
    if (this.errors.samples.length < 5) this.errors.samples.push(msg);
  }

  close(): void {
    for (const c of this.conns.values()) c.destroy();
    this.conns.clear();
  }
}

/** The logical value of a key: type plus its contents in a canonical order (or null when missing). */
export async function logicalValue(c: RespClient, key: string): Promise<Plain> {
  const type = toPlain(await c.call('TYPE', key)) as string;
  const sorted = (p: Plain): Plain => (Array.isArray(p) ? [...p].map(String).sort() : p);
  switch (type) {
    case 'none':
      return null;
    case 'string':
      return ['string', toPlain(await c.call('GET', key))];
    case 'list':
      return ['list', toPlain(await c.call('LRANGE', key, '0', '-1'))];
    case 'set':
      return ['set', sorted(toPlain(await c.call('SMEMBERS', key)))];
    case 'zset':
    {
      // Scores as parsed doubles: 7.0 prints %.17g, 7.2 the shortest round trip (known-differences zset-double-format).
      const flat = toPlain(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES')) as string[];
      return ['zset', flat.map((x, i) => (i % 2 === 1 && x !== 'inf' && x !== '-inf' ? String(Number(x)) : x))];
    }
    case 'hash': {
      const flat = toPlain(await c.call('HGETALL', key)) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return ['hash', pairs.sort()];
    }
    default:
      return [type, toPlain(await c.call('DUMP', key)) as Plain];
  }
}

/** Every key of one node (SCAN), as key -> logical value; `withTtl` adds whether it has a TTL. */
export async function nodeDataset(port: number, withTtl = false): Promise<Map<string, string>> {
  const c = await RespClient.connect({ host: '127.0.0.1', port, timeoutMs: 3000, commandTimeoutMs: 20000 });
  try {
    const out = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = toPlain(await c.call('SCAN', cursor, 'COUNT', SCAN_COUNT)) as [string, string[]];
      cursor = next;
      for (const k of keys) {
        let v = JSON.stringify(await logicalValue(c, k));
        if (withTtl) v += (toPlain(await c.call('PTTL', k)) as number) > 0 ? ' ttl' : ' no-ttl';
        out.set(k, v);
      }
    } while (cursor !== '0');
    return out;
  } finally {
    c.destroy();
  }
}

export interface MigrationEntry {
  [field: string]: string | number;
}

/** CLUSTER GETSLOTMIGRATIONS as a list of field maps. */
export async function slotMigrations(port: number): Promise<MigrationEntry[]> {
  const r = await call(port, 'CLUSTER', 'GETSLOTMIGRATIONS');
  if (!Array.isArray(r)) throw new Error(`GETSLOTMIGRATIONS answered ${String(r)}`);
  return r.map((e) => {
    const m: MigrationEntry = {};
    if (Array.isArray(e)) for (let i = 0; i < e.length; i += 2) m[String(e[i])] = e[i + 1] as string | number;
    else Object.assign(m, e);
    return m;
  });
}

/** Waits until the last EXPORT job on `port` is in a terminal state; returns it. */
export async function waitMigrationDone(port: number, timeoutMs: number): Promise<MigrationEntry> {
  return waitFor('the slot migration to end', async () => {
    const list = (await slotMigrations(port)).filter((e) => e.operation === 'EXPORT');
    const last = list[list.length - 1];
    return last !== undefined && ['success', 'failed', 'cancelled'].includes(String(last.state)) ? last : undefined;
  }, timeoutMs, 20);
}

/** The ranges of a CLUSTER SLOTS reply as "start-end@port" strings, sorted. */
export async function slotMap(port: number): Promise<string[]> {
  const r = (await call(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, string]]>;
  return r.map(([a, b, [, p]]) => `${a}-${b}@${p}`).sort();
}
