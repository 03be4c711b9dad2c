// Differential tests of the geo commands (issue 16 item 3) against a real
// redis-server: GEOADD (NX XX CH), GEODIST, GEOHASH, GEOPOS, GEOSEARCH,
// GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO forms. Points are random
// (world-wide, clustered, near the poles, the antimeridian and the range limits);
// searches are random in every option. Replies are compared as they come, so the
// order of unsorted results (the order Redis scans the geohash cells in) must match
// too, as must the scores GEOADD stores and what the STORE forms write.

import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair, type CheckItem } from '../helpers/diff.js';
import { skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { startPair, withEvents } from '../helpers/pair.js';
import { startInProcess, type InProcess } from '../helpers/inprocess.js';
import type { Reply, RespClient } from '../../src/protocol/resp-client.js';

const UNITS = ['m', 'km', 'ft', 'mi', 'KM'];

/** A random point as [lon, lat] strings. */
function point(rng: Rng): [string, string] {
  switch (rng.int(6)) {
    case 0: // world-wide
      return [(rng.float() * 360 - 180).toFixed(6), (rng.float() * 170.1 - 85.05).toFixed(6)];
    case 1: // a cluster around Rome
      return [(12.5 + rng.float() * 0.2 - 0.1).toFixed(7), (41.9 + rng.float() * 0.2 - 0.1).toFixed(7)];
    case 2: // near the poles
      return [(rng.float() * 360 - 180).toFixed(5), ((rng.bool() ? 1 : -1) * (80 + rng.float() * 5.05)).toFixed(5)];
    case 3: // the antimeridian
      return [((rng.bool() ? 1 : -1) * (179.5 + rng.float() * 0.5)).toFixed(6), (rng.float() * 20 - 10).toFixed(6)];
    case 4: // the limits of the ranges
      return [rng.pick(['180', '-180', '0', '179.9999999']), rng.pick(['85.05112878', '-85.05112878', '0', '-0.0000001'])];
    default: // a cluster on the equator and the prime meridian
      return [(rng.float() * 2 - 1).toFixed(6), (rng.float() * 2 - 1).toFixed(6)];
  }
}

function centre(rng: Rng): string[] {
  return point(rng);
}

function radius(rng: Rng): string {
  return rng.pick(['0', '1', '500', '2500', '10000', '100000', '800000', '5000000', '20000000', String(rng.int(3000000)), (rng.float() * 1000).toFixed(3)]);
}

function unitScaled(rng: Rng): [string, string] {
  const u = rng.pick(UNITS);
  const r = Number(radius(rng));
  const div = u.toLowerCase() === 'km' ? 1000 : u === 'ft' ? 0.3048 : u === 'mi' ? 1609.34 : 1;
  return [String(Math.round((r / div) * 1000) / 1000), u];
}

function options(rng: Rng, store: boolean): string[] {
  const out: string[] = [];
  if (!store) {
    if (rng.bool(0.4)) out.push('WITHDIST');
    if (rng.bool(0.3)) out.push('WITHCOORD');
    if (rng.bool(0.3)) out.push('WITHHASH');
  }
  const s = rng.int(3);
  if (s === 1) out.push('ASC');
  if (s === 2) out.push('DESC');
  if (rng.bool(0.4)) {
    out.push('COUNT', String(rng.range(1, 30)));
    if (rng.bool(0.3)) out.push('ANY');
  }
  return rng.shuffle(out.length > 1 && out.includes('COUNT') ? keepCountPair(out) : out);
}

/** Shuffling must keep COUNT n together: group them first. */
function keepCountPair(opts: string[]): string[] {
  const i = opts.indexOf('COUNT');
  const pair = opts.splice(i, 2).join(' ');
  opts.push(pair);
  return opts;
}

function expand(opts: string[]): string[] {
  return opts.flatMap((o) => o.split(' '));
}

function randomSearch(rng: Rng, members: string[]): string[] {
  const kind = rng.int(8);
  const member = rng.pick(members);
  const [r, u] = unitScaled(rng);
  const from = rng.bool() ? ['FROMMEMBER', member] : ['FROMLONLAT', ...centre(rng)];
  const by = rng.bool() ? ['BYRADIUS', r, u] : ['BYBOX', unitScaled(rng)[0], r, u];
  switch (kind) {
    case 0:
      return ['GEORADIUS', 'g', ...centre(rng), r, u, ...expand(options(rng, false))];
    case 1:
      return ['GEORADIUS_RO', 'g', ...centre(rng), r, u, ...expand(options(rng, false))];
    case 2:
      return ['GEORADIUSBYMEMBER', 'g', member, r, u, ...expand(options(rng, false))];
    case 3:
      return ['GEORADIUSBYMEMBER_RO', 'g', member, r, u, ...expand(options(rng, false))];
    default:
      return ['GEOSEARCH', 'g', ...rng.shuffle([from.join('\0'), by.join('\0')]).flatMap((x) => x.split('\0')), ...expand(options(rng, false))];
  }
}

/**
 * The destination of a STORE form: the same members in the same order, and the same
 * scores. Known difference: a distance can differ from Redis's in its last bit or
 * two, because V8's Math.sin/cos/asin (fdlibm) are not always correctly rounded
 * where glibc's are. STOREDIST stores the distance at full precision, so there the
 * scores are compared to 1e-12 relative; geohash scores (STORE) must be equal. The
 * 4-decimal WITHDIST replies and the in-radius decisions are compared exactly (a
 * last-bit difference would only show at an exact rounding boundary).
 */
async function sameStoredSet(pair: DiffPair, distances: boolean): Promise<void> {
  const { ours, theirs } = await pair.run(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
  const flat = (r: Reply): string[] => {
    assert.equal(r.t, 'array');
    return (r.v as Reply[]).map((x) => String((x as { v: unknown }).v));
  };
  const a = flat(ours);
  const b = flat(theirs);
  assert.equal(a.length, b.length, 'same number of members');
  for (let i = 0; i < a.length; i += 2) {
    assert.equal(a[i], b[i], `member ${i / 2}`);
    const x = Number(a[i + 1]);
    const y = Number(b[i + 1]);
    if (distances) assert.ok(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y)), `distance of ${a[i]}: ${x} vs ${y}`);
    else assert.equal(x, y, `score of ${a[i]}`);
  }
}

describe('geo (differential)', { skip: skipIfNoRedis() }, () => {
  let pair: DiffPair;
  let ours: ServerHandle;
  let theirs: ServerHandle;

  before(async () => {
    ({ pair, ours, theirs } = await startPair(['--notify-keyspace-events', 'KEA']));
  });
  after(async () => {
    pair?.printDifferences();
    await pair?.close();
  });
  beforeEach(async () => {
    await pair.reset();
  });

  async function addPoints(rng: Rng, n: number): Promise<string[]> {
    const members: string[] = [];
    const args = ['GEOADD', 'g'];
    for (let i = 0; i < n; i++) {
      const m = `m${i}`;
      members.push(m);
      args.push(...point(rng), m);
    }
    await pair.check([args, ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'g']]);
    return members;
  }

  test('GEOADD, GEOPOS, GEOHASH and GEODIST of random points', async () => {
    const rng = new Rng(seedFromEnv('geo-points'));
    const members = await addPoints(rng, 200);
    const some = (k: number): string[] => Array.from({ length: k }, () => rng.pick(members));
    const cmds: CheckItem[] = [
      ['GEOPOS', 'g', ...some(50), 'nosuch'],
      ['GEOHASH', 'g', ...some(50), 'nosuch'],
      ['GEOPOS', 'nokey', 'a'],
      ['GEOHASH', 'nokey', 'a', 'b'],
    ];
    for (let i = 0; i < 100; i++) cmds.push(['GEODIST', 'g', rng.pick(members), rng.pick(members), ...(rng.bool() ? [rng.pick(UNITS)] : [])]);
    cmds.push(['GEODIST', 'g', 'm1', 'nosuch'], ['GEODIST', 'nokey', 'a', 'b'], ['GEODIST', 'g', 'm1', 'm2', 'parsec'], ['GEODIST', 'g', 'm1', 'm2', 'km', 'extra']);
    await pair.check(cmds);
  });

  test('GEOADD options NX XX CH and its errors', async () => {
    await pair.check([
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
      ['GEOADD', 'g', 'NX', '13.4', '38.1', 'Palermo', '15.087269', '37.502669', 'Catania'],
      ['GEOADD', 'g', 'XX', 'CH', '13.5', '38.2', 'Palermo', '1', '1', 'Nowhere'],
      ['GEOADD', 'g', 'CH', '13.5', '38.2', 'Palermo'],
      ['GEOADD', 'g', 'ch', 'nx', '13.6', '38.2', 'Palermo'],
      ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
      ['GEOADD', 'g', 'NX', 'XX', '1', '1', 'a'],
      ['GEOADD', 'g', '1', '1'],
      ['GEOADD', 'g', '1', '1', 'a', '2'],
      ['GEOADD', 'g', 'x', '1', 'a'],
      ['GEOADD', 'g', '1', 'nan', 'a'],
      ['GEOADD', 'g', '181', '1', 'a'],
      ['GEOADD', 'g', '1', '86', 'a'],
      ['GEOADD', 'g', '-180.0000001', '-85.05112879', 'a'],
      ['GEOADD', 'g', 'inf', '0', 'a'],
      ['GEOADD', 'g', '1', '1', 'ok', '200', '1', 'bad'],
      ['ZCARD', 'g'],
      ['GEOADD', 'g', 'CH', 'CH', 'CH'],
      ['SET', 's', 'x'],
      ['GEOADD', 's', '1', '1', 'a'],
      ['GEOPOS', 's', 'a'],
      ['GEOHASH', 's', 'a'],
      ['GEODIST', 's', 'a', 'b'],
      ['GEOSEARCH', 's', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ['GEOADD', 'g'],
    ]);
  });

  test('random searches over a small (listpack) and a large (skiplist) set', async () => {
    for (const [label, n] of [['small', 40], ['large', 600]] as const) {
      await pair.reset();
      const rng = new Rng(seedFromEnv(`geo-search-${label}`));
      const members = await addPoints(rng, n);
      const cmds: CheckItem[] = [];
      for (let i = 0; i < 250; i++) cmds.push(randomSearch(rng, members));
      await pair.check(cmds);
    }
  });

  test('STORE, STOREDIST and GEOSEARCHSTORE write the same sorted sets', async () => {
    const rng = new Rng(seedFromEnv('geo-store'));
    const members = await addPoints(rng, 300);
    for (let i = 0; i < 60; i++) {
      const [r, u] = unitScaled(rng);
      const opts = expand(options(rng, true));
      const which = rng.int(4);
      const cmd =
        which === 0
          ? ['GEORADIUS', 'g', ...centre(rng), r, u, ...opts, rng.bool() ? 'STORE' : 'STOREDIST', 'dst']
          : which === 1
            ? ['GEORADIUSBYMEMBER', 'g', rng.pick(members), r, u, rng.bool() ? 'STOREDIST' : 'STORE', 'dst', ...opts]
            : ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', rng.pick(members), 'BYRADIUS', r, u, ...opts, ...(rng.bool() ? ['STOREDIST'] : [])];
      await pair.check([cmd]);
      await sameStoredSet(pair, cmd.includes('STOREDIST'));
      await pair.check([['OBJECT', 'ENCODING', 'dst'], ['TTL', 'dst']]);
    }
    // An empty result deletes the destination; so does a missing source key.
    await pair.check([
      ['ZADD', 'dst', '1', 'x'],
      ['EXPIRE', 'dst', '100'],
      ['GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '0', 'm'],
      ['EXISTS', 'dst'],
      ['ZADD', 'dst', '1', 'x'],
      ['GEORADIUS', 'nokey', '0', '0', '1', 'km', 'STORE', 'dst'],
      ['EXISTS', 'dst'],
      ['ZADD', 'dst', '1', 'x'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nomember', 'notanumber', 'km', 'STORE', 'dst'],
      ['EXISTS', 'dst'],
      ['GEOSEARCHSTORE', 'dst', 'nokey', 'FROMMEMBER', 'x', 'BYBOX', '1', '1', 'km'],
      ['COMMAND', 'GETKEYS', 'GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd1', 'STOREDIST', 'd2'],
      ['COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'g', 'm', '1', 'km', 'STOREDIST', 'd1'],
      ['COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
    ]);
  });

  test('search argument errors', async () => {
    await pair.check([['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania']]);
    await pair.check([
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'WITHDIST', 'STORE', 'x'],
      ['GEORADIUS', 'g', '15', '37', '-1', 'km'],
      ['GEORADIUS', 'g', '15', '37', 'abc', 'km'],
      ['GEORADIUS', 'g', '15', '37', '200', 'parsec'],
      ['GEORADIUS', 'g', 'abc', '37', '200', 'km'],
      ['GEORADIUS', 'g', '15', '90', '200', 'km'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '0'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '-3'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', 'x'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'ANY'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'FOO'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE'],
      ['GEORADIUS_RO', 'g', '15', '37', '200', 'km', 'STORE', 'x'],
      ['GEORADIUSBYMEMBER', 'g', 'nosuch', '200', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'Palermo', '200', 'km', 'STOREDIST'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nosuch', '200', 'km', 'WITHDIST', 'STORE', 'x'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km', 'FROMMEMBER', 'Palermo'],
      ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km', 'WITHDIST'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'WITHDIST', 'ASC'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'nosuch', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', '-1', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', 'a', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'b', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'yards'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'WITHCOORD'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'ASC', 'DESC', 'WITHHASH', 'COUNT', '1', 'ANY'],
    ]);
  });

  test('RESP3 coordinates and distances', async () => {
    await pair.check([['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['HELLO', '3']], { ignore: false, normalize: (r) => (r.t === 'map' ? { t: 'simple', v: 'hello' } : r) });
    await pair.check([
      ['GEOPOS', 'g', 'Palermo', 'nosuch'],
      ['GEODIST', 'g', 'Palermo', 'Catania'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC'],
      ['GEOHASH', 'g', 'Palermo', 'nosuch'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ['HELLO', '2'],
    ], { normalize: (r) => (r.t === 'map' ? { t: 'simple', v: 'hello' } : r) });
  });

  test('keyspace notifications of GEOADD and the STORE forms', async () => {
    await withEvents(ours, theirs, async (events) => {
      await pair.check([
        ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
        ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
        ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd1'],
        ['GEOSEARCHSTORE', 'd2', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
        ['GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ]);
      const got = await events.same();
      assert.ok(got.some((e) => e.endsWith('georadiusstore')), got.join('\n'));
    });
  });
});

// ---- propagation (in-process server) ----------------------------------------------

describe('geo propagation', () => {
  let ip: InProcess;
  let client: RespClient;
  let propagated: InProcess['propagated'];

  before(async () => {
    ip = await startInProcess({ throwOnError: true });
    ({ client, propagated } = ip);
  });
  after(() => ip?.close());

  test('GEOADD propagates as the ZADD it ran; the STORE forms as themselves', async () => {
    await client.call('FLUSHALL');
    assert.deepEqual(
      await propagated(
        ['GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
        ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
        ['GEORADIUS_RO', 'g', '15', '37', '200', 'km'],
        ['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ),
      [
        ['zadd', 'g', 'CH', '3479099956230698', 'Palermo', '3479447370796909', 'Catania'],
        ['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ],
    );
  });
});
