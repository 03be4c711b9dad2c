// Replacing a file so that a crash leaves either the old or the new content, never a
// mix: write a temp file in the same directory, fsync it, close it, rename it over the
// target, fsync the directory. The RDB, the AOF manifest and base files, the RDB a
// replica receives, CONFIG REWRITE and the sentinel config rewrite all go through
// here; each keeps the temp-file name Redis users see (temp-<pid>.rdb, ...).

import { close, closeSync, fsync, fsyncSync, open, openSync, rename, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a replacement failed: opening the temp file, writing (and syncing) it, or renaming it. */
export type ReplaceStage = 'open' | 'write' | 'rename';

/** fsync of a directory, so that a rename in it is durable. Best effort: not every file system allows it. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported everywhere; the rename is still atomic */
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Removes a file that may not exist, ignoring any error. */
export function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or never made */
  }
}

/** Writes all of `data` at the file position of `fd` (latin1 for a string). */
export function writeFully(fd: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Replaces `path` with what `body(fd)` writes to `tmp` (a name in the same
 * directory): fsync, close, rename, fsync of the directory. On an error `tmp` is
 * removed and `path` is left as it was; `onError` hears the stage before the error
 * is rethrown (for log lines worded by stage).
 */
export function replaceFileSync(path: string, tmp: string, body: (fd: number) => void, onError?: (stage: ReplaceStage, e: unknown) => void): void {
  let fd = -1;
  let stage: ReplaceStage = 'open';
  try {
    fd = openSync(tmp, 'w');
    stage = 'write';
    body(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    stage = 'rename';
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        /* the write error is the one to report */
      }
    }
    if (stage !== 'open') unlinkQuiet(tmp);
    onError?.(stage, e);
    throw e;
  }
  fsyncDir(dirname(path));
}

/** replaceFileSync writing `data`. */
export function writeFileAtomicSync(path: string, tmp: string, data: string | Buffer, onError?: (stage: ReplaceStage, e: unknown) => void): void {
  replaceFileSync(path, tmp, (fd) => writeFully(fd, data), onError);
}

/**
 * The last steps for a temp file written and fsynced asynchronously (a BGSAVE):
 * close `fd`, rename `tmp` over `path`, fsync the directory, then `cb` (with the
 * close or rename error, if any; the temp file is then the caller's to remove).
 */
export function commitTempFile(fd: number, tmp: string, path: string, cb: (err: Error | null) => void, beforeRename?: () => Error | null): void {
  fsync(fd, (e1) => {
    if (e1) {
      close(fd, () => cb(e1));
      return;
    }
    close(fd, (e2) => {
      if (e2) return cb(e2);
      const abort = beforeRename?.() ?? null;
      if (abort) return cb(abort);
      rename(tmp, path, (e3) => {
        if (e3) return cb(e3);
        open(dirname(path), 'r', (e4, dfd) => {
          if (e4) return cb(null);
          fsync(dfd, () => close(dfd, () => cb(null)));
        });
      });
    });
  });
}
