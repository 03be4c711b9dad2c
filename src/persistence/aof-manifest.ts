// The manifest of a multi-part AOF (Redis 7): which files make the append-only
// file, in which order.
//
// The AOF lives in `dir`/`appenddirname`. The manifest `<appendfilename>.manifest`
// lists one file a line, `file <name> seq <n> type <t>`: the base (type b, an RDB
// file `<appendfilename>.<seq>.base.rdb`, or commands `.base.aof` when
// aof-use-rdb-preamble is no), history files (type h: replaced by a rewrite, to be
// deleted), and incr files (type i, `<appendfilename>.<seq>.incr.aof`) that hold
// the commands written after the base, loaded in order. A name that needs quoting
// is written as Redis's sdscatrepr writes it and read back with sdssplitargs rules.
//
// Parsing follows Redis 7's rules and messages: '#' lines are comments, every other
// line has at least the three key/value pairs (unknown keys are ignored, for
// forward compatibility), one base at most, incr sequence numbers strictly
// increasing, lines of at most MANIFEST_MAX_LINE bytes.
//
// API:
//   ManifestError(msg, lineNo?, line?)      a refused manifest (Redis's wording)
//   emptyManifest()                         no files yet
//   parseManifest(text)                     -> AofManifest, throws ManifestError
//   formatManifest(m)                       the text Redis writes (base, history, incr)
//   baseFileName / incrFileName / tempIncrFileName / manifestFileName
//   cloneManifest(m)

import { splitArgs } from '../protocol/parser.js';
import { reprString } from '../server/server.js';

/** Longest manifest line Redis accepts (its MANIFEST_MAX_LINE). */
export const MANIFEST_MAX_LINE = 1024;

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export interface AofManifest {
  base: AofFileInfo | null;
  /** Files replaced by a rewrite, waiting to be deleted. */
  history: AofFileInfo[];
  /** Incremental files, oldest first; the last one is the one appended to. */
  incr: AofFileInfo[];
  /** Sequence number of the current base (0: none yet). */
  baseSeq: number;
  /** Sequence number of the newest incr file (0: none yet). */
  incrSeq: number;
}

export class ManifestError extends Error {
  constructor(
    message: string,
    readonly lineNo = 0,
    readonly line: string | null = null,
  ) {
    super(message);
  }
}

export function emptyManifest(): AofManifest {
  return { base: null, history: [], incr: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: AofManifest): AofManifest {
  return {
    base: m.base ? { ...m.base } : null,
    history: m.history.map((f) => ({ ...f })),
    incr: m.incr.map((f) => ({ ...f })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

export function manifestFileName(prefix: string): string {
  return `${prefix}.manifest`;
}

export function baseFileName(prefix: string, seq: number, rdb: boolean): string {
  return `${prefix}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
}

export function incrFileName(prefix: string, seq: number): string {
  return `${prefix}.${seq}.incr.aof`;
}

/** The incr file written while AOF is being turned on (not in any manifest until the first rewrite ends). */
export function tempIncrFileName(prefix: string): string {
  return `temp-${prefix}.incr`;
}

/** A file name that is not a plain base name (a path) is refused, as Redis does. */
function isBaseName(name: string): boolean {
  return name.length > 0 && !name.includes('/') && name !== '.' && name !== '..';
}

/** Redis's sdsneedsrepr: quoting needed for spaces, quotes, backslashes and non-printables. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 34 || c === 39 || c === 92) return true;
  }
  return false;
}

function formatLine(f: AofFileInfo): string {
  const name = needsRepr(f.name) ? reprString(f.name) : f.name;
  return `file ${name} seq ${f.seq} type ${f.type}\n`;
}

/** The manifest text: the base first, then history files, then incr files. */
export function formatManifest(m: AofManifest): string {
  let out = '';
  if (m.base) out += formatLine(m.base);
  for (const f of m.history) out += formatLine(f);
  for (const f of m.incr) out += formatLine(f);
  return out;
}

/**
 * Parses a manifest (a binary string). Throws ManifestError with Redis's messages:
 * "Found an empty AOF manifest", "The AOF manifest file contains too long line",
 * "Invalid AOF manifest file format", "File can't be a path, just a filename",
 * "Found duplicate base file information", "Found a non-monotonic sequence number",
 * "Unknown AOF file type".
 */
export function parseManifest(text: string): AofManifest {
  const m = emptyManifest();
  if (text.length === 0) throw new ManifestError('Found an empty AOF manifest');
  let pos = 0;
  let lineNo = 0;
  let maxIncrSeq = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    const raw = text.slice(pos, end);
    pos = end;
    lineNo++;
    if (raw[0] === '#') {
      // Redis reads at most MANIFEST_MAX_LINE bytes a time; a long comment is still a comment.
      continue;
    }
    if (raw.length > MANIFEST_MAX_LINE || nl < 0) {
      // Redis wants every line (the last one too) to end with a newline that fits in its buffer.
      throw new ManifestError('The AOF manifest file contains too long line');
    }
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    let name: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i].toLowerCase();
      const v = argv[i + 1];
      if (k === 'file') {
        if (!isBaseName(v)) throw new ManifestError("File can't be a path, just a filename", lineNo, line);
        name = v;
      } else if (k === 'seq') {
        seq = /^[0-9]{1,15}$/.test(v) ? Number(v) : 0;
      } else if (k === 'type') {
        type = v.length > 0 ? v[0] : '';
      }
    }
    if (name === null || seq <= 0 || type === '') throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
    if (type === 'b') {
      if (m.base) throw new ManifestError('Found duplicate base file information', lineNo, line);
      m.base = { name, seq, type: 'b' };
      m.baseSeq = seq;
    } else if (type === 'h') {
      m.history.push({ name, seq, type: 'h' });
    } else if (type === 'i') {
      if (seq <= maxIncrSeq) throw new ManifestError('Found a non-monotonic sequence number', lineNo, line);
      m.incr.push({ name, seq, type: 'i' });
      m.incrSeq = seq;
      maxIncrSeq = seq;
    } else {
      throw new ManifestError('Unknown AOF file type', lineNo, line);
    }
  }
  return m;
}
