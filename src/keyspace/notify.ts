// Keyspace notification classes (notify-keyspace-events) as Redis defines them.

export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_LOADED = 1 << 12; // module only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const CHARS: Array<[string, number]> = [
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['t', NOTIFY_STREAM],
  ['d', NOTIFY_MODULE],
];

/** Parses a notify-keyspace-events string into flags; -1 on an unknown character. */
export function parseNotifyFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    switch (ch) {
      case 'A':
        flags |= NOTIFY_ALL;
        break;
      case 'K':
        flags |= NOTIFY_KEYSPACE;
        break;
      case 'E':
        flags |= NOTIFY_KEYEVENT;
        break;
      case 'm':
        flags |= NOTIFY_KEY_MISS;
        break;
      case 'n':
        flags |= NOTIFY_NEW;
        break;
      default: {
        const e = CHARS.find((c) => c[0] === ch);
        if (!e) return -1;
        flags |= e[1];
      }
    }
  }
  return flags;
}

/** The canonical string CONFIG GET shows for a set of flags. */
export function formatNotifyFlags(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s += 'A';
  else for (const [ch, f] of CHARS) if (flags & f) s += ch;
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  if (flags & NOTIFY_NEW) s += 'n';
  return s;
}
