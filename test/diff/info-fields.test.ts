// INFO, field by field, against redis-server 7.0 in the same config (issue 16
// item 5): every section's field names equal Redis's, plus the fields we add on
// purpose, each named below with why (Redis 7.2 fields 7.0 lacks, and our own
// runtime's figures). And INFO keyspace's avg_ttl returns to 0 once no key has a
// TTL, as Redis's active expire cycle resets it.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';
import type { Reply } from '../../src/protocol/resp-client.js';

function text(r: Reply): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'verbatim') return r.v;
  throw new Error(`expected a string reply, got ${r.t}`);
}

/** Section -> field names, in order, of an INFO text. */
function sections(s: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of s.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (cur = []));
    else if (line.includes(':')) cur.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

/**
 * Fields Cinnabar prints that redis-server 7.0 does not, on purpose. Everything
 * else must match name for name.
 */
export const INFO_ADDITIONS: Record<string, Record<string, string>> = {
  Server: {
    listener0: 'Redis 7.2 lists each listener (name, bind, port)',
    cinnabar_version: 'our own version, beside redis_version (the Redis version we implement)',
    node_version: 'the Node.js runtime, as Redis shows its compiler (gcc_version)',
  },
  Clients: {
    pubsub_clients: 'Redis 7.2',
    watching_clients: 'Redis 7.2',
    total_watched_keys: 'Redis 7.2',
    total_blocking_keys: 'Redis 7.2',
    total_blocking_keys_on_nokey: 'Redis 7.2',
  },
  Memory: {
    v8_heap_used: "V8's own reading (used_memory is the size model, as zmalloc counts)",
    v8_heap_total: "V8's own reading",
    v8_external_memory: "V8's own reading (Buffers outside the heap)",
  },
  Stats: {
    client_query_buffer_limit_disconnections: 'Redis 7.2',
    client_output_buffer_limit_disconnections: 'Redis 7.2',
    eventloop_cycles: 'Redis 7.2',
    eventloop_duration_sum: 'Redis 7.2',
    eventloop_duration_cmd_sum: 'Redis 7.2',
    instantaneous_eventloop_cycles_per_sec: 'Redis 7.2',
    instantaneous_eventloop_duration_usec: 'Redis 7.2',
    acl_access_denied_auth: 'Redis 7.2',
    acl_access_denied_cmd: 'Redis 7.2',
    acl_access_denied_key: 'Redis 7.2',
    acl_access_denied_channel: 'Redis 7.2',
  },
};

/** Sections whose field names depend on the data and the commands run (compared elsewhere). */
const CONTENT_SECTIONS = new Set(['Commandstats', 'Errorstats', 'Keyspace', 'Latencystats']);

describe('INFO fields', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  before(async () => {
    pair = await DiffPair.start();
  });
  after(async () => {
    await pair?.close();
  });

  test('every section has the field names redis-server prints, plus the named additions', async () => {
    await pair.check([['SET', 'k', 'v'], ['EXPIRE', 'k', '100']]);
    const { ours: o, theirs: t } = await pair.run(['INFO', 'everything']);
    const so = sections(text(o));
    const st = sections(text(t));
    assert.deepEqual([...so.keys()], [...st.keys()], 'the same sections in the same order');
    const report: string[] = [];
    for (const [name, theirs] of st) {
      if (CONTENT_SECTIONS.has(name)) continue;
      const ours = so.get(name) ?? [];
      const added = INFO_ADDITIONS[name] ?? {};
      const missing = theirs.filter((f) => !ours.includes(f));
      const extra = ours.filter((f) => !theirs.includes(f) && !(f in added));
      const unused = Object.keys(added).filter((f) => !ours.includes(f));
      assert.deepEqual({ missing, extra, unused }, { missing: [], extra: [], unused: [] }, `INFO ${name}: fields missing, extra without a reason, or named additions we do not print`);
      // Redis's order for the fields both print.
      assert.deepEqual(ours.filter((f) => theirs.includes(f)), theirs, `INFO ${name}: field order`);
      report.push(`${name}: ${theirs.length} fields as redis-server, ${Object.keys(added).length} added`);
    }
    console.log(report.map((l) => `# ${l}`).join('\n'));
  });

  test('INFO keyspace avg_ttl: an estimate while keys have a TTL, 0 again once none has', async () => {
    await pair.reset();
    await pair.check([['SET', 'a', '1', 'EX', '1000'], ['SET', 'b', '2', 'EX', '2000'], ['SET', 'c', '3']]);
    const avgTtl = async (side: 'ours' | 'theirs'): Promise<number> => {
      const r = await (side === 'ours' ? pair.ours : pair.theirs).call('INFO', 'keyspace');
      const m = /^db0:keys=\d+,expires=\d+,avg_ttl=(\d+)$/m.exec(text(r));
      assert.ok(m, `INFO keyspace of ${side}: ${text(r)}`);
      return Number(m[1]);
    };
    // The active expire cycle (10 times a second) samples the TTLs.
    for (const side of ['ours', 'theirs'] as const) {
      const v = await waitFor(`${side}: avg_ttl > 0`, async () => ((await avgTtl(side)) > 0 ? await avgTtl(side) : false), 5000);
      assert.ok(v > 900_000 && v <= 2_000_000, `${side}: avg_ttl ${v} between the two TTLs`);
    }
    await pair.check([['PERSIST', 'a'], ['DEL', 'b'], ['INFO', 'keyspace']], {
      // Right after the change avg_ttl may still hold the old estimate on either side.
      normalize: (r) => (r.t === 'bulk' && r.v !== null ? { t: 'bulk', v: r.v.replace(/avg_ttl=\d+/, 'avg_ttl=*') } : r),
    });
    for (const side of ['theirs', 'ours'] as const) await waitFor(`${side}: avg_ttl back to 0`, async () => (await avgTtl(side)) === 0, 5000);
    await pair.check([['INFO', 'keyspace']]);
  });
});
