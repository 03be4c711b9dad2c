// Helpers shared by the RDB unit and interop tests: building values the way the
// commands do, and reducing values to comparable plain data.

import { ENC_BIG, ObjType, RObj, type RSet } from '../../src/types/object.js';
import { RList } from '../../src/types/list.js';
import { SortedSet } from '../../src/types/sorted-set.js';
import { RHashValue } from '../../src/types/hash.js';
import type { Config } from '../../src/config/config.js';
import { normalizeHashEncoding, normalizeSetEncoding, normalizeZsetEncoding, readEncodingLimits } from '../../src/types/encoding.js';

export function strObj(s: string): RObj {
  return new RObj(ObjType.String, s, 0);
}

export function listObj(items: string[], cfg: Config): RObj {
  const l = RList.from(items);
  l.updateEncoding(cfg.getNumber('list-max-listpack-size'), 'any');
  return new RObj(ObjType.List, l, 0);
}

export function setObj(items: string[], cfg: Config): RObj {
  const o = new RObj(ObjType.Set, new Set(items) as RSet, 0);
  normalizeSetEncoding(o, readEncodingLimits(cfg));
  return o;
}

export function zsetObj(pairs: Array<[string, number]>, cfg: Config): RObj {
  const zs = new SortedSet();
  for (const [m, s] of pairs) zs.add(m, s);
  const o = new RObj(ObjType.ZSet, zs, 0);
  normalizeZsetEncoding(o, readEncodingLimits(cfg));
  return o;
}

export function hashObj(pairs: Array<[string, string]>, cfg: Config): RObj {
  const o = new RObj(ObjType.Hash, RHashValue.fromMap(new Map(pairs)), 0);
  o.enc = ENC_BIG;
  normalizeHashEncoding(o, readEncodingLimits(cfg));
  return o;
}

export type Canon =
  | { type: 'string'; v: string }
  | { type: 'list'; v: string[] }
  | { type: 'set'; v: string[] }
  | { type: 'zset'; v: Array<[string, number]> }
  | { type: 'hash'; v: Array<[string, string]> };

/** A value as plain data: sets sorted, hashes sorted by field (order is not semantic). */
export function canon(o: RObj): Canon {
  switch (o.type) {
    case ObjType.String:
      return { type: 'string', v: o.value as string };
    case ObjType.List:
      return { type: 'list', v: [...(o.value as RList).iter()].map(([, v]) => v) };
    case ObjType.Set:
      return { type: 'set', v: [...(o.value as RSet)].sort() };
    case ObjType.ZSet:
      return { type: 'zset', v: [...(o.value as SortedSet).entries()].map(([m, s]) => [m, s] as [string, number]) };
    case ObjType.Hash:
      return { type: 'hash', v: [...(o.value as RHashValue).entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
    default:
      throw new Error(`unexpected type ${o.type}`);
  }
}

/** Hash pairs in their stored order (listpack order is kept by a round trip). */
export function hashOrder(o: RObj): Array<[string, string]> {
  return [...(o.value as RHashValue).entries()];
}
