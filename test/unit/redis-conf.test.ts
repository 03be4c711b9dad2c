// config/redis-conf.ts: redis.conf read as redis-server reads it. The save forms
// were each checked against redis-server 7.0.15 (CONFIG GET save after starting on
// a file of those lines); the process test config-file.test.ts runs both servers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Config, findDirective } from '../../src/config/config.js';
import { ConfigFileError, argsToConfigText, loadConfigText } from '../../src/config/redis-conf.js';

function saveAfter(text: string): string {
  const c = new Config();
  loadConfigText(c, text);
  return c.format(findDirective('save')!);
}

describe('redis.conf: save', () => {
  const cases: Array<[string, string]> = [
    ['', '3600 1 300 100 60 10000'], // no save line: the defaults
    ['save \n', ''], // what tools write for save ""
    ['save\n', ''],
    ['save ""\n', ''],
    ['save 900 1\nsave \n', '900 1'], // a later bare save adds nothing
    ['save \nsave 900 1\n', '900 1'],
    ['save 900 1\nsave ""\n', ''], // save "" resets
    ['save 900 1\nsave 60 5\n', '900 1 60 5'], // lines add up
    ['save 900 1 60 5\n', '900 1 60 5'],
    ['save 05 +01\n', '5 1'], // read as strtoll reads them, printed back as numbers
  ];
  for (const [text, want] of cases) {
    test(JSON.stringify(text), () => assert.equal(saveAfter(text), want));
  }

  test('seconds below 1 or negative changes are refused, as redis-server refuses them', () => {
    for (const text of ['save 0 1\n', 'save 10 -1\n', 'save x 1\n']) {
      assert.throws(() => loadConfigText(new Config(), text), (e: unknown) => e instanceof ConfigFileError && e.message === 'Invalid save parameters', text);
    }
  });

  test('an odd number of save arguments is an error at its line', () => {
    assert.throws(
      () => loadConfigText(new Config(), 'port 7000\nsave 900\n'),
      (e: unknown) => e instanceof ConfigFileError && e.lineNo === 2 && e.message === 'Invalid save parameters',
    );
  });

  test('--save with no value on the command line means no save points', () => {
    assert.equal(argsToConfigText(['--port', '7000', '--save']), 'port "7000" \nsave ""');
    assert.equal(saveAfter(argsToConfigText(['--save'])), '');
    assert.equal(saveAfter(argsToConfigText(['--save', ''])), '');
  });
});

describe('redis.conf: lines', () => {
  test('other directives still need a value; unknown ones and unbalanced quotes are errors', () => {
    for (const [text, msg] of [
      ['port\n', 'wrong number of arguments'],
      ['no-such-directive 1\n', 'Bad directive or wrong number of arguments'],
      ['logfile "a\n', 'Unbalanced quotes in configuration line'],
    ]) {
      assert.throws(
        () => loadConfigText(new Config(), text),
        (e: unknown) => e instanceof ConfigFileError && e.message === msg,
        text,
      );
    }
  });

  test('include, quoting, comments and repeated client-output-buffer-limit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-conf-'));
    try {
      const inc = path.join(dir, 'inc.conf');
      fs.writeFileSync(inc, 'hz 20\n');
      const c = new Config();
      loadConfigText(c, `# comment\ninclude ${inc}\nnotify-keyspace-events "KEA"\nclient-output-buffer-limit pubsub 1mb 2mb 30\n  maxmemory-policy 'allkeys-lru'\r\n`);
      assert.equal(c.format(findDirective('hz')!), '20');
      assert.equal(c.format(findDirective('notify-keyspace-events')!), 'AKE');
      assert.equal(c.format(findDirective('maxmemory-policy')!), 'allkeys-lru');
      assert.match(c.format(findDirective('client-output-buffer-limit')!), /pubsub 1048576 2097152 30/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
