// Geohash as Redis computes it, so scores, coordinates, distances and search
// results are the same numbers (from the Redis documentation of GEOADD and its
// geohash: 26 steps per axis, a 52-bit interleaved integer stored as the
// sorted-set score, latitudes limited to the Web Mercator range ±85.05112878).
//
//  - encode: each coordinate becomes a 26-bit fixed-point offset in its range
//    (truncated), latitude bits at even positions and longitude bits at odd ones;
//  - decode: the centre of the cell, clamped to the valid ranges;
//  - distance: the haversine formula on a sphere of radius 6372797.560856 m;
//  - search: the cell size (step) estimated from the radius, the cell of the
//    centre and its eight neighbours, minus the neighbours the search box cannot
//    reach; each cell is one score range [min, max) of the sorted set.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;
const TWO32 = 4294967296;

export interface Range {
  min: number;
  max: number;
}

export interface GeoHashBits {
  /** The interleaved bits (2 * step of them); up to 2^52, exact in a double. */
  bits: number;
  step: number;
}

export interface Area {
  hash: GeoHashBits;
  longitude: Range;
  latitude: Range;
}

export const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** The standard geohash ranges (GEOHASH's strings). */
export const STANDARD_LAT: Range = { min: -90, max: 90 };

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

// ---- bit interleaving -----------------------------------------------------------------

function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

function compactEven(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64(lat, lon) of two unsigned 32-bit values, as a double (rounded to nearest when above 2^53, as C's conversion). */
export function interleave(lat: number, lon: number): number {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** deinterleave64 of a score: [lat bits, lon bits] as unsigned 32-bit values. */
function deinterleave(bits: number): [number, number] {
  let b = bits;
  if (!(b >= 0)) b = 0; // Redis casts the double to uint64_t: negative scores are not geo scores
  if (b >= TWO32 * TWO32) b = TWO32 * TWO32 - 1;
  const hi = Math.floor(b / TWO32) >>> 0;
  const lo = (b - Math.floor(b / TWO32) * TWO32) >>> 0;
  const lat = (compactEven(lo) | (compactEven(hi) << 16)) >>> 0;
  const lon = (compactEven(lo >>> 1) | (compactEven(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

// ---- encode / decode ----------------------------------------------------------------------

/** geohashEncode: the cell of (longitude, latitude) at `step`, or null outside the ranges. */
export function geohashEncode(longRange: Range, latRange: Range, longitude: number, latitude: number, step: number): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  const scale = Math.pow(2, step);
  latOffset *= scale;
  longOffset *= scale;
  // The implicit double -> uint32_t conversion truncates.
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

/** The 52-bit score of a point (GEOADD), or null when the coordinates are out of range. */
export function geoScore(longitude: number, latitude: number): number | null {
  const h = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX);
  return h === null ? null : align52(h);
}

/** geohashAlign52Bits: the bits shifted to a 52-bit score. */
export function align52(h: GeoHashBits): number {
  return h.bits * Math.pow(2, 52 - h.step * 2);
}

/** geohashDecode: the cell of `hash` in the given ranges. */
export function geohashDecode(longRange: Range, latRange: Range, hash: GeoHashBits): Area | null {
  if (hash.bits === 0 && hash.step === 0) return null;
  const [ilato, ilono] = deinterleave(hash.bits);
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const div = Math.pow(2, hash.step);
  const ilato1 = (ilato + 1) >>> 0;
  const ilono1 = (ilono + 1) >>> 0;
  return {
    hash,
    latitude: { min: latRange.min + ((ilato * 1.0) / div) * latScale, max: latRange.min + ((ilato1 * 1.0) / div) * latScale },
    longitude: { min: longRange.min + ((ilono * 1.0) / div) * longScale, max: longRange.min + ((ilono1 * 1.0) / div) * longScale },
  };
}

/** The centre of an area, clamped to the valid ranges: [longitude, latitude]. */
function areaCentre(area: Area): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** decodeGeohash: [longitude, latitude] of a 52-bit score. */
export function decodeScore(score: number): [number, number] {
  decodeScoreFast(score);
  return [decoded.lon, decoded.lat];
}

/** Where decodeScoreFast leaves its result (no allocation on the search path). */
export const decoded = { lon: 0, lat: 0 };

const STEP_MAX_DIV = Math.pow(2, GEO_STEP_MAX);

/**
 * decodeScore without allocating: the same operations as geohashDecode over the
 * WGS84 ranges at step 26 followed by areaCentre, so the same doubles; the result
 * is left in `decoded`. GEOSEARCH decodes every point of the cells it scans.
 */
export function decodeScoreFast(score: number): void {
  let b = score;
  if (!(b >= 0)) b = 0;
  if (b >= TWO32 * TWO32) b = TWO32 * TWO32 - 1;
  const hi = Math.floor(b / TWO32) >>> 0;
  const lo = (b - Math.floor(b / TWO32) * TWO32) >>> 0;
  const ilato = (compactEven(lo) | (compactEven(hi) << 16)) >>> 0;
  const ilono = (compactEven(lo >>> 1) | (compactEven(hi >>> 1) << 16)) >>> 0;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const longScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const latMin = GEO_LAT_MIN + ((ilato * 1.0) / STEP_MAX_DIV) * latScale;
  const latMax = GEO_LAT_MIN + ((((ilato + 1) >>> 0) * 1.0) / STEP_MAX_DIV) * latScale;
  const lonMin = GEO_LONG_MIN + ((ilono * 1.0) / STEP_MAX_DIV) * longScale;
  const lonMax = GEO_LONG_MIN + ((((ilono + 1) >>> 0) * 1.0) / STEP_MAX_DIV) * longScale;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  decoded.lon = x;
  decoded.lat = y;
}

// ---- distances ------------------------------------------------------------------------------

export function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine distance in meters. */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same longitude: the cheaper formula.
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoDistance from a search's centre, with the centre's radians and cosine kept
 * from the previous call with the same centre: the same operations on the same
 * values, so the same doubles, with one cosine less per point scanned.
 */
let centreLon = NaN;
let centreLat = NaN;
let centreLonR = 0;
let centreLatR = 0;
let centreCos = 0;
function distanceFromCentre(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  if (lon1d !== centreLon || lat1d !== centreLat) {
    centreLon = lon1d;
    centreLat = lat1d;
    centreLonR = degRad(lon1d);
    centreLatR = degRad(lat1d);
    centreCos = Math.cos(centreLatR);
  }
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - centreLonR) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - centreLatR) / 2);
  const a = u * u + centreCos * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

// ---- search shapes ------------------------------------------------------------------------

export interface Shape {
  /** Centre: [longitude, latitude]. */
  xy: [number, number];
  /** Meters per unit. */
  conversion: number;
  circular: boolean;
  radius: number;
  width: number;
  height: number;
}

/**
 * geoWithinShape for a point: its distance from the centre in meters when inside
 * the shape, else -1.
 */
export function distanceIfWithin(shape: Shape, lon: number, lat: number): number {
  if (shape.circular) {
    const d = distanceFromCentre(shape.xy[0], shape.xy[1], lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  // The latitude distance is cheaper: checked first.
  if (latDistance(lat, shape.xy[1]) > heightM / 2) return -1;
  if (geoDistance(lon, lat, shape.xy[0], lat) > widthM / 2) return -1;
  return geoDistance(shape.xy[0], shape.xy[1], lon, lat);
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat] of the shape. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.circular ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circular ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  // The hemispheres are mirrored: take the wider side.
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/** geohashEstimateStepsByRadius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most of the base cases
  // Wider cells towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

// Neighbours: moving along one axis adds or subtracts one in that axis's bits
// (odd bits: longitude, x; even bits: latitude, y). BigInt: 8 moves per search.
const ODD = 0xaaaaaaaaaaaaaaaan;
const EVEN = 0x5555555555555555n;

function move(h: GeoHashBits, dx: number, dy: number): GeoHashBits {
  let bits = BigInt(h.bits);
  const width = BigInt(64 - h.step * 2);
  if (dx !== 0) {
    let x = bits & ODD;
    const y = bits & EVEN;
    const zz = EVEN >> width;
    if (dx > 0) x = x + (zz + 1n);
    else {
      x = x | zz;
      x = x - (zz + 1n);
    }
    x &= ODD >> width;
    bits = (x | y) & 0xffffffffffffffffn;
  }
  if (dy !== 0) {
    const x = bits & ODD;
    let y = bits & EVEN;
    const zz = ODD >> width;
    if (dy > 0) y = y + (zz + 1n);
    else {
      y = y | zz;
      y = y - (zz + 1n);
    }
    y &= EVEN >> width;
    bits = (x | y) & 0xffffffffffffffffn;
  }
  return { bits: Number(bits), step: h.step };
}

const ZERO: GeoHashBits = { bits: 0, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84 + the neighbour order of membersOfAllNeighbors:
 * the cells to scan, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW), with
 * the unreachable ones as zero hashes.
 */
export function searchCells(shape: Shape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  const radiusMeters =
    (shape.circular ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion;
  let steps = estimateSteps(radiusMeters, latitude);
  let hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) as GeoHashBits;
  let nb = neighbours(hash);
  let area = geohashDecode(WGS84_LONG, WGS84_LAT, hash) as Area;

  // A search area near a cell's edge may need one step more.
  let decrease = false;
  {
    const north = geohashDecode(WGS84_LONG, WGS84_LAT, nb.north) as Area;
    const south = geohashDecode(WGS84_LONG, WGS84_LAT, nb.south) as Area;
    const east = geohashDecode(WGS84_LONG, WGS84_LAT, nb.east) as Area;
    const west = geohashDecode(WGS84_LONG, WGS84_LAT, nb.west) as Area;
    if (north.latitude.max < maxLat) decrease = true;
    if (south.latitude.min > minLat) decrease = true;
    if (east.longitude.max < maxLon) decrease = true;
    if (west.longitude.min > minLon) decrease = true;
  }
  if (steps > 1 && decrease) {
    steps--;
    hash = geohashEncode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps) as GeoHashBits;
    nb = neighbours(hash);
    area = geohashDecode(WGS84_LONG, WGS84_LAT, hash) as Area;
  }
  // Leave out the neighbours the search box cannot reach.
  if (steps >= 2) {
    if (area.latitude.min < minLat) nb.south = nb.southWest = nb.southEast = ZERO;
    if (area.latitude.max > maxLat) nb.north = nb.northEast = nb.northWest = ZERO;
    if (area.longitude.min < minLon) nb.west = nb.southWest = nb.northWest = ZERO;
    if (area.longitude.max > maxLon) nb.east = nb.southEast = nb.northEast = ZERO;
  }
  return [hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest];
}

interface Neighbours {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

function neighbours(h: GeoHashBits): Neighbours {
  return {
    east: move(h, 1, 0),
    west: move(h, -1, 0),
    south: move(h, 0, -1),
    north: move(h, 0, 1),
    northWest: move(h, -1, 1),
    northEast: move(h, 1, 1),
    southEast: move(h, 1, -1),
    southWest: move(h, -1, -1),
  };
}

/** scoresOfGeoHashBox: the score range [min, max) of a cell. */
export function cellScores(h: GeoHashBits): [number, number] {
  return [align52(h), align52({ bits: h.bits + 1, step: h.step })];
}

// ---- formatting ---------------------------------------------------------------------------

/** GEOHASH's 11-character standard geohash of a stored score. */
const ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
export function standardGeohash(score: number): string {
  const [lon, lat] = decodeScore(score);
  const h = geohashEncode(WGS84_LONG, STANDARD_LAT, lon, lat, GEO_STEP_MAX);
  const bits = BigInt(h === null ? 0 : h.bits);
  let out = '';
  for (let i = 0; i < 11; i++) {
    // 52 bits: the 11th character is always '0'.
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += ALPHABET[idx];
  }
  return out;
}

/**
 * A coordinate as Redis replies it (addReplyHumanLongDouble: "%.17Lf" of the
 * double, trailing zeros and point removed, "-0" as "0").
 */
export function formatCoordinate(v: number): string {
  let s = v.toFixed(17);
  if (s.indexOf('.') !== -1) {
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
    s = s.slice(0, end);
  }
  return s === '-0' ? '0' : s;
}

/** A distance as Redis replies it ("%.4f"). */
export function formatDistance(d: number): string {
  return d.toFixed(4);
}

/** "%f" of a coordinate in the invalid-pair error. */
export function formatF(v: number): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v.toFixed(6);
}
