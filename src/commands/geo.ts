// Geo commands: GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE GEORADIUS
// GEORADIUSBYMEMBER and their _RO forms, over sorted sets whose scores are 52-bit
// geohashes (types/geohash.ts), as Redis 7.2 answers them:
//  - GEOADD is ZADD with the encoded scores: it runs ZADD and propagates it;
//  - a search scans the centre cell and its neighbours in Redis's order, each a
//    score range of the set, so unsorted results come in the same order as there;
//    COUNT without ANY sorts ascending, ANY stops as soon as COUNT were found;
//  - coordinates are replied as "%.17Lf" with trailing zeros removed, distances as
//    "%.4f".

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { ObjType } from '../types/object.js';
import type { SortedSet } from '../types/sorted-set.js';
import { parseDouble, parseInt64 } from '../util/numbers.js';
import { storeResult, zaddCommand } from './zsets.js';
import { ERR_SYNTAX, eqi } from './strings.js';
import { lookupRead } from './lookup.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  cellScores,
  decodeScore,
  decodeScoreFast,
  decoded,
  distanceIfWithin,
  formatCoordinate,
  formatDistance,
  formatF,
  geoDistance,
  geoScore,
  searchCells,
  standardGeohash,
  type Shape,
} from '../types/geohash.js';

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const ERR_MEMBER = 'ERR could not decode requested zset member';

/** extractUnitOrReply: meters per unit, or -1 after replying. */
function unitOrReply(c: Client, u: string): number {
  switch (u.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
    default:
      c.addError(ERR_UNIT);
      return -1;
  }
}

/** extractLongLatOrReply: [longitude, latitude], or null after replying. */
function lonLatOrReply(c: Client, lonArg: string, latArg: string): [number, number] | null {
  const lon = parseDouble(lonArg);
  if (lon === null) {
    c.addError(ERR_NOT_FLOAT);
    return null;
  }
  const lat = parseDouble(latArg);
  if (lat === null) {
    c.addError(ERR_NOT_FLOAT);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.addError(`ERR invalid longitude,latitude pair ${formatF(lon)},${formatF(lat)}`);
    return null;
  }
  return [lon, lat];
}

function addCoordinates(c: Client, lon: number, lat: number): void {
  c.addArrayLen(2);
  addHumanDouble(c, lon);
  addHumanDouble(c, lat);
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
function addHumanDouble(c: Client, v: number): void {
  const s = formatCoordinate(v);
  if (c.resp === 3) c.write(',' + s + '\r\n');
  else c.addBulk(s);
}

// ---- GEOADD ---------------------------------------------------------------------------

function geoaddCommand(c: Client, argv: string[]): void {
  let xx = false;
  let nx = false;
  let longidx = 2;
  while (longidx < argv.length) {
    const opt = argv[longidx];
    if (eqi(opt, 'nx')) nx = true;
    else if (eqi(opt, 'xx')) xx = true;
    else if (!eqi(opt, 'ch')) break;
    longidx++;
  }
  if ((argv.length - longidx) % 3 !== 0 || (xx && nx)) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const elements = (argv.length - longidx) / 3;
  const zargv: string[] = ['zadd'];
  for (let i = 1; i < longidx; i++) zargv.push(argv[i]);
  for (let i = 0; i < elements; i++) {
    const j = longidx + i * 3;
    const xy = lonLatOrReply(c, argv[j], argv[j + 1]);
    if (xy === null) return;
    zargv.push(String(geoScore(xy[0], xy[1]) as number), argv[j + 2]);
  }
  // ZADD does the work, and is what replicas and the AOF receive.
  c.rewriteArgv(zargv);
  zaddCommand(c, zargv);
}

// ---- GEOPOS / GEOHASH / GEODIST -----------------------------------------------------------

function geoposCommand(c: Client, argv: string[]): void {
  const o = lookupRead(c, argv[1], ObjType.ZSet);
  if (o === null) return;
  const zs = o === undefined ? null : (o.value as SortedSet);
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zs === null ? undefined : zs.score(argv[j]);
    if (score === undefined) {
      c.addNullArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    addCoordinates(c, lon, lat);
  }
}

function geohashCommand(c: Client, argv: string[]): void {
  const o = lookupRead(c, argv[1], ObjType.ZSet);
  if (o === null) return;
  const zs = o === undefined ? null : (o.value as SortedSet);
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zs === null ? undefined : zs.score(argv[j]);
    if (score === undefined) c.addNull();
    else c.addBulk(standardGeohash(score));
  }
}

function geodistCommand(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = unitOrReply(c, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    c.addError(ERR_SYNTAX);
    return;
  }
  const o = lookupRead(c, argv[1], ObjType.ZSet);
  if (o === null) return;
  if (o === undefined) {
    c.addNull();
    return;
  }
  const zs = o.value as SortedSet;
  const s1 = zs.score(argv[2]);
  const s2 = zs.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.addNull();
    return;
  }
  const a = decodeScore(s1);
  const b = decodeScore(s2);
  c.addBulk(formatDistance(geoDistance(a[0], a[1], b[0], b[1]) / toMeter));
}

// ---- searches -----------------------------------------------------------------------------

const RADIUS_COORDS = 1; // GEORADIUS: centre from lon lat
const RADIUS_MEMBER = 2; // GEORADIUSBYMEMBER: centre from a member
const RADIUS_NOSTORE = 4; // the _RO forms
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** A search's radius or box in its unit: false after replying an error. */
function distanceOrReply(c: Client, radiusArg: string, unitArg: string, shape: Shape): boolean {
  const d = parseDouble(radiusArg);
  if (d === null) {
    c.addError('ERR need numeric radius');
    return false;
  }
  if (d < 0) {
    c.addError('ERR radius cannot be negative');
    return false;
  }
  const conv = unitOrReply(c, unitArg);
  if (conv < 0) return false;
  shape.radius = d;
  shape.conversion = conv;
  shape.circular = true;
  return true;
}

function boxOrReply(c: Client, wArg: string, hArg: string, unitArg: string, shape: Shape): boolean {
  const w = parseDouble(wArg);
  if (w === null) {
    c.addError('ERR need numeric width');
    return false;
  }
  const h = parseDouble(hArg);
  if (h === null) {
    c.addError('ERR need numeric height');
    return false;
  }
  if (h < 0 || w < 0) {
    c.addError('ERR height or width cannot be negative');
    return false;
  }
  const conv = unitOrReply(c, unitArg);
  if (conv < 0) return false;
  shape.width = w;
  shape.height = h;
  shape.conversion = conv;
  shape.circular = false;
  return true;
}

/** The points of one cell's score range [min, max) inside the shape, in set order. */
function pointsInRange(zs: SortedSet, min: number, max: number, shape: Shape, out: GeoPoint[], limit: number): void {
  const entries = zs.rangeByScore({ min, max, minEx: false, maxEx: true }, false);
  for (const [member, score] of entries) {
    decodeScoreFast(score);
    const lon = decoded.lon;
    const lat = decoded.lat;
    const dist = distanceIfWithin(shape, lon, lat);
    if (dist >= 0) out.push({ member, score, lon, lat, dist });
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
  }
}

/** membersOfAllNeighbors. */
function membersOfAllNeighbours(zs: SortedSet, shape: Shape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const out: GeoPoint[] = [];
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.bits === 0 && cell.step === 0) continue;
    // Huge radii make neighbours coincide: skip a cell equal to the last one scanned
    // (as in Redis, the centre cell, index 0, is never compared).
    if (lastProcessed !== 0 && cell.bits === cells[lastProcessed].bits && cell.step === cells[lastProcessed].step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = cellScores(cell);
    pointsInRange(zs, min, max, shape, out, limit);
    lastProcessed = i;
  }
  return out;
}

const byDistAsc = (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const byDistDesc = (a: GeoPoint, b: GeoPoint): number => (a.dist < b.dist ? 1 : a.dist === b.dist ? 0 : -1);

/**
 * Redis's pqsort (the BSD Bentley-McIlroy quicksort that only recurses into the
 * parts overlapping [lrange, rrange]): sorts that window of `a` in place, leaving
 * the same arrangement of equal elements as Redis does.
 */
export function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (x: number, y: number, z: number): number =>
    cmp(a[x], a[y]) < 0 ? (cmp(a[y], a[z]) < 0 ? y : cmp(a[x], a[z]) < 0 ? z : x) : cmp(a[y], a[z]) > 0 ? y : cmp(a[x], a[z]) < 0 ? x : z;
  const sortRange = (base: number, n: number): void => {
    for (;;) {
      if (n < 7) {
        for (let pm = base + 1; pm < base + n; pm++) for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(pl, pl - 1);
        return;
      }
      let pm = base + Math.floor(n / 2);
      if (n > 7) {
        let pl = base;
        let pn = base + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(base, pm);
      let pa = base + 1;
      let pb = pa;
      let pc = base + n - 1;
      let pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
          if (r === 0) swap(pa++, pb);
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
          if (r === 0) swap(pc, pd--);
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
      }
      const pn = base + n;
      let r = Math.min(pa - base, pb - pa);
      vecswap(base, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      // Recurse into the left part, iterate on the right one, when they overlap the window.
      if ((r = pb - pa) > 1) {
        const l = base;
        const rr = base + r - 1;
        if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) sortRange(base, r);
      }
      if ((r = pd - pc) > 1) {
        base = pn - r;
        n = r;
        const l = base;
        const rr = base + r - 1;
        if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) continue;
      }
      return;
    }
  };
  sortRange(0, a.length);
}

/** georadiusGeneric. */
function georadiusGeneric(c: Client, argv: string[], srcKeyIndex: number, flags: number): void {
  let storekey: string | null = null;
  let storedist = false;
  const zobj = lookupRead(c, argv[srcKeyIndex], ObjType.ZSet);
  if (zobj === null) return;
  const zs = zobj === undefined ? null : (zobj.value as SortedSet);
  const shape: Shape = { xy: [0, 0], conversion: 1, circular: true, radius: 0, width: 0, height: 0 };
  let baseArgs: number;
  if ((flags & RADIUS_COORDS) !== 0) {
    baseArgs = 6;
    const xy = lonLatOrReply(c, argv[2], argv[3]);
    if (xy === null) return;
    shape.xy = xy;
    if (!distanceOrReply(c, argv[baseArgs - 2], argv[baseArgs - 1], shape)) return;
  } else if ((flags & RADIUS_MEMBER) !== 0 && zs === null) {
    // No source key: parse on, to know which reply the STORE form needs.
    baseArgs = 5;
  } else if ((flags & RADIUS_MEMBER) !== 0) {
    baseArgs = 5;
    const score = (zs as SortedSet).score(argv[2]);
    if (score === undefined) {
      c.addError(ERR_MEMBER);
      return;
    }
    shape.xy = decodeScore(score);
    if (!distanceOrReply(c, argv[baseArgs - 2], argv[baseArgs - 1], shape)) return;
  } else {
    baseArgs = 2;
    if ((flags & GEOSEARCHSTORE) !== 0) {
      baseArgs = 3;
      storekey = argv[1];
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i].toLowerCase();
    const search = (flags & GEOSEARCH) !== 0;
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[baseArgs + i + 1]);
      if (n === null) {
        c.addError('ERR value is not an integer or out of range');
        return;
      }
      if (n <= 0n) {
        c.addError('ERR COUNT must be > 0');
        return;
      }
      count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if (arg === 'store' && i + 1 < remaining && (flags & RADIUS_NOSTORE) === 0 && !search) {
      storekey = argv[baseArgs + i + 1];
      storedist = false;
      i++;
    } else if (arg === 'storedist' && i + 1 < remaining && (flags & RADIUS_NOSTORE) === 0 && !search) {
      storekey = argv[baseArgs + i + 1];
      storedist = true;
      i++;
    } else if (arg === 'storedist' && search && (flags & GEOSEARCHSTORE) !== 0) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && search && !fromloc) {
      // No source key: parse on and reply when done.
      if (zs !== null) {
        const score = zs.score(argv[baseArgs + i + 1]);
        if (score === undefined) {
          c.addError(ERR_MEMBER);
          return;
        }
        shape.xy = decodeScore(score);
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && search && !frommember) {
      const xy = lonLatOrReply(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2]);
      if (xy === null) return;
      shape.xy = xy;
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && search && !bybox) {
      if (!distanceOrReply(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2], shape)) return;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && search && !byradius) {
      if (!boxOrReply(c, argv[baseArgs + i + 1], argv[baseArgs + i + 2], argv[baseArgs + i + 3], shape)) return;
      bybox = true;
      i += 3;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    c.addError(
      `ERR ${(flags & GEOSEARCHSTORE) !== 0 ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
    return;
  }
  if ((flags & GEOSEARCH) !== 0 && !(frommember || fromloc)) {
    c.addError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if ((flags & GEOSEARCH) !== 0 && !(byradius || bybox)) {
    c.addError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && count === 0) {
    c.addError('ERR the ANY argument requires COUNT argument');
    return;
  }

  // No source key: an empty reply, or 0 with the destination deleted.
  if (zs === null) {
    if (storekey !== null) storeResult(c, storekey, [], '');
    else c.addEmptyArray();
    return;
  }

  // COUNT without ANY needs the closest ones: ascending.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const ga = membersOfAllNeighbours(zs, shape, any ? count : 0);
  if (ga.length === 0 && storekey === null) {
    c.addEmptyArray();
    return;
  }
  const returned = count === 0 || ga.length < count ? ga.length : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistAsc : byDistDesc;
    // Redis sorts everything with qsort (glibc's is a stable merge sort, as
    // Array.prototype.sort) and a COUNT prefix with its partial quicksort, whose
    // order of equal distances is its own: reproduced, so ties come out the same.
    if (returned === ga.length) ga.sort(cmp);
    else pqsort(ga, cmp, 0, returned - 1);
  }

  if (storekey === null) {
    const options = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    c.addArrayLen(returned);
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      gp.dist /= shape.conversion;
      if (options > 0) c.addArrayLen(options + 1);
      c.addBulk(gp.member);
      if (withdist) c.addBulk(formatDistance(gp.dist));
      if (withhash) c.addInt(gp.score);
      if (withcoords) addCoordinates(c, gp.lon, gp.lat);
    }
    return;
  }
  const entries: Array<[string, number]> = [];
  for (let i = 0; i < returned; i++) {
    const gp = ga[i];
    gp.dist /= shape.conversion;
    entries.push([gp.member, storedist ? gp.dist : gp.score]);
  }
  storeResult(c, storekey, entries, (flags & GEOSEARCH) !== 0 ? 'geosearchstore' : 'georadiusstore', Math.max(1, returned));
}

function georadiusCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS);
}
function georadiusByMemberCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER);
}
function georadiusRoCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}
function georadiusByMemberRoCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}
function geosearchCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, GEOSEARCH);
}
function geosearchstoreCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

const W = ['write', 'geo', 'slow'];
const R = ['read', 'geo', 'slow'];
const LOG_N = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';

export const COMMANDS: CommandSpec[] = [
  cmd('geoadd', -5, ['write', 'denyoom'], [1, 1, 1], 'geo', W, geoaddCommand, {
    since: '3.2.0',
    summary: "Adds one or more members to a geospatial index. The key is created if it doesn't exist.",
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  }),
  cmd('geodist', -4, ['readonly'], [1, 1, 1], 'geo', R, geodistCommand, {
    since: '3.2.0',
    summary: 'Returns the distance between two members of a geospatial index.',
    complexity: 'O(log(N))',
  }),
  cmd('geohash', -2, ['readonly'], [1, 1, 1], 'geo', R, geohashCommand, {
    since: '3.2.0',
    summary: 'Returns members from a geospatial index as geohash strings.',
    complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
  }),
  cmd('geopos', -2, ['readonly'], [1, 1, 1], 'geo', R, geoposCommand, {
    since: '3.2.0',
    summary: 'Returns the longitude and latitude of members from a geospatial index.',
    complexity: 'O(N) where N is the number of members requested.',
  }),
  cmd('georadius', -6, ['write', 'denyoom'], [1, 1, 1], 'geo', W, georadiusCommand, {
    since: '3.2.0',
    summary: 'Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.',
    complexity: LOG_N,
  }),
  cmd('georadius_ro', -6, ['readonly'], [1, 1, 1], 'geo', R, georadiusRoCommand, {
    since: '3.2.10',
    summary: 'Returns members from a geospatial index that are within a distance from a coordinate.',
    complexity: LOG_N,
  }),
  cmd('georadiusbymember', -5, ['write', 'denyoom'], [1, 1, 1], 'geo', W, georadiusByMemberCommand, {
    since: '3.2.0',
    summary: 'Queries a geospatial index for members within a distance from a member, optionally stores the result.',
    complexity: LOG_N,
  }),
  cmd('georadiusbymember_ro', -5, ['readonly'], [1, 1, 1], 'geo', R, georadiusByMemberRoCommand, {
    since: '3.2.10',
    summary: 'Returns members from a geospatial index that are within a distance from a member.',
    complexity: LOG_N,
  }),
  cmd('geosearch', -7, ['readonly'], [1, 1, 1], 'geo', R, geosearchCommand, {
    since: '6.2.0',
    summary: 'Queries a geospatial index for members inside an area of a box or a circle.',
    complexity:
      'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape',
  }),
  cmd('geosearchstore', -8, ['write', 'denyoom'], [1, 2, 1], 'geo', W, geosearchstoreCommand, {
    since: '6.2.0',
    summary: 'Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.',
    complexity:
      'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape',
  }),
];
