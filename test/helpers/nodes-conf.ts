// nodes.conf files for tests of a single cluster node without a bus: the node
// itself plus peers at addresses nobody answers (TEST-NET-1, 192.0.2.0/24), so that
// slots can be owned by other nodes (MOVED), migrated to them (ASK) and imported from
// them, by hand, on one redis-server and one Cinnabar alike.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fixed node ids: replies name them, so both servers must use the same. */
export const ID_ME = 'a'.repeat(38) + '01';
export const ID_B = 'b'.repeat(38) + '02';
export const ID_C = 'c'.repeat(38) + '03';
/** Addresses of the peers (nothing listens there: their links stay down). */
export const B_ADDR = '192.0.2.1:7002';
export const C_ADDR = '192.0.2.1:7003';

/**
 * A three-node nodes.conf: myself (slots `mySlots`), B a primary (`bSlots`), C a
 * replica of B. `extra`: more words of myself's line (open slots).
 */
export function threeNodeConf(mySlots = '0-5460', bSlots = '5461-16383', extra = ''): string {
  return (
    `${ID_ME} 127.0.0.1:1@1 myself,master - 0 0 1 connected ${mySlots}${extra ? ' ' + extra : ''}\n` +
    `${ID_B} ${B_ADDR}@17002 master - 0 0 2 connected ${bSlots}\n` +
    `${ID_C} ${C_ADDR}@17003 slave ${ID_B} 0 0 2 connected\n` +
    'vars currentEpoch 7 lastVoteEpoch 3\n'
  );
}

/** A temporary directory holding config files, removed by `cleanup`. */
export class ConfDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'cinnabar-nodes-conf-'));
  private n = 0;

  /** Writes `text` to a new file and returns its absolute path. */
  file(text: string, name = `nodes-${this.n++}.conf`): string {
    const p = join(this.dir, name);
    writeFileSync(p, text, 'latin1');
    return p;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Server arguments of a cluster node reading `confPath`, with a node timeout long enough that no peer is suspected during a test. */
export function clusterArgs(confPath: string): string[] {
  return ['--cluster-enabled', 'yes', '--cluster-config-file', confPath, '--cluster-node-timeout', '60000'];
}

/** A nodes.conf of myself alone, with a fixed id and no slots. */
export function singleNodeConf(): string {
  return `${ID_ME} :0@0 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n`;
}

type AnyReply = import('../../src/protocol/resp-client.js').Reply;

/**
 * A DiffPair normalizer for two cluster nodes on different ports: each side's own
 * client port (and bus port) in strings becomes <port> (<cport>), and an integer
 * equal to it becomes 0. In CLUSTER NODES lines the ping-sent and pong-received
 * columns and the link state of peers become <t> and <link>: they are the bus's
 * (redis-server counts a PING queued on a link still connecting, and in some
 * sandboxes a connect to TEST-NET succeeds), and the lines are sorted (Redis
 * lists the nodes in its hash table's order).
 */
export function portNormalizer(oursPort: number, theirsPort: number): (r: AnyReply, cmd: readonly string[], side: 'ours' | 'theirs') => AnyReply {
  return (r, _cmd, side) => {
    const port = side === 'ours' ? oursPort : theirsPort;
    const fix = (s: string): string => sortNodeLines(rewrite(s));
    const rewrite = (s: string): string =>
      s
        .split(`:${port}@${port + 10000}`)
        .join(':<port>@<cport>')
        .split(`:${port}`)
        .join(':<port>')
        .replace(/^([0-9a-f]{40} \S+ \S+ \S+) \d+ \d+ (\d+) (?:dis)?connected/gm, (_m, head: string, epoch: string) => `${head} <t> <t> ${epoch} ${head.includes('myself') ? 'connected' : '<link>'}`);
    const walk = (x: AnyReply): AnyReply => {
      switch (x.t) {
        case 'bulk':
          return x.v === null ? x : { t: 'bulk', v: fix(x.v) };
        case 'simple':
        case 'err':
          return { t: x.t, v: fix(x.v) };
        case 'verbatim':
          return { t: 'verbatim', format: x.format, v: fix(x.v) };
        case 'int':
          return x.v === BigInt(port) ? { t: 'int', v: 0n } : x;
        case 'array':
          return x.v === null ? x : { t: 'array', v: x.v.map(walk) };
        case 'set':
        case 'push':
          return { t: x.t, v: x.v.map(walk) };
        case 'map':
          return { t: 'map', v: x.v.map(([k, v]) => [walk(k), walk(v)] as [AnyReply, AnyReply]) };
        default:
          return x;
      }
    };
    return walk(r);
  };
}

/** A CLUSTER NODES text with its lines sorted; other strings as they are. */
function sortNodeLines(s: string): string {
  if (!/^[0-9a-f]{40} /.test(s) || !s.endsWith('\n')) return s;
  return s.slice(0, -1).split('\n').sort().join('\n') + '\n';
}
