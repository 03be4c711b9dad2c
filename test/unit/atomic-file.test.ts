// util/atomic-file.ts: a replaced file holds the old content or the new one, never
// a part; a failed replacement leaves the target as it was and no temp file behind.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commitTempFile, replaceFileSync, writeFileAtomicSync, writeFully, type ReplaceStage } from '../../src/util/atomic-file.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-atomic-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('atomic file replacement', () => {
  test('writes the new content and leaves no temp file', () => {
    const target = path.join(dir, 'a.conf');
    fs.writeFileSync(target, 'old\n');
    writeFileAtomicSync(target, path.join(dir, 'a.tmp'), 'new \xe9\n');
    assert.equal(fs.readFileSync(target, 'latin1'), 'new \xe9\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a.conf']);
  });

  test('a body that fails halfway leaves the old content, removes the temp file and names the stage', () => {
    const target = path.join(dir, 'b.rdb');
    fs.writeFileSync(target, 'old');
    const stages: ReplaceStage[] = [];
    assert.throws(
      () =>
        replaceFileSync(
          target,
          path.join(dir, 'temp-1.rdb'),
          (fd) => {
            writeFully(fd, Buffer.alloc(100000, 1));
            throw new Error('disk full');
          },
          (stage) => stages.push(stage),
        ),
      /disk full/,
    );
    assert.deepEqual(stages, ['write']);
    assert.equal(fs.readFileSync(target, 'latin1'), 'old');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('b') || f.startsWith('temp')), ['b.rdb']);
  });

  test('a temp file that cannot be opened is the open stage; the target is untouched', () => {
    const target = path.join(dir, 'c.conf');
    fs.writeFileSync(target, 'old');
    const stages: ReplaceStage[] = [];
    assert.throws(() => writeFileAtomicSync(target, path.join(dir, 'no-such-dir', 'c.tmp'), 'new', (s) => stages.push(s)));
    assert.deepEqual(stages, ['open']);
    assert.equal(fs.readFileSync(target, 'latin1'), 'old');
  });

  test('a rename that fails is the rename stage and removes the temp file', () => {
    const target = path.join(dir, 'd-is-a-dir');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a non-empty directory cannot be renamed over
    const stages: ReplaceStage[] = [];
    assert.throws(() => writeFileAtomicSync(target, path.join(dir, 'd.tmp'), 'new', (s) => stages.push(s)));
    assert.deepEqual(stages, ['rename']);
    assert.equal(fs.existsSync(path.join(dir, 'd.tmp')), false);
  });

  test('commitTempFile: renames after the fsync, or not at all when the caller aborted meanwhile', async () => {
    const target = path.join(dir, 'e.rdb');
    fs.writeFileSync(target, 'old');
    const commit = (tmp: string, abort: Error | null): Promise<Error | null> =>
      new Promise((resolve) => {
        const fd = fs.openSync(tmp, 'w');
        writeFully(fd, 'new');
        commitTempFile(fd, tmp, target, resolve, () => abort);
      });
    const aborted = await commit(path.join(dir, 'e1.tmp'), new Error('FLUSHALL'));
    assert.equal(aborted?.message, 'FLUSHALL');
    assert.equal(fs.readFileSync(target, 'latin1'), 'old', 'an aborted save never replaces the file');
    fs.unlinkSync(path.join(dir, 'e1.tmp'));
    assert.equal(await commit(path.join(dir, 'e2.tmp'), null), null);
    assert.equal(fs.readFileSync(target, 'latin1'), 'new');
    assert.equal(fs.existsSync(path.join(dir, 'e2.tmp')), false);
  });
});
