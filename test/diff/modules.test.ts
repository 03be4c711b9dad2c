// Differential test of MODULE (issue 16 item 5): LIST answers an empty array;
// LOAD, LOADEX and UNLOAD are protected under enable-module-command, and when
// allowed, LOAD/LOADEX of a module that cannot load get redis-server's reply and
// log line, UNLOAD of an unknown module its error; HELP, arity and unknown
// subcommands as redis-server answers them.

import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { DiffPair } from '../helpers/diff.js';
import { startCinnabar, startRedis, skipIfNoRedis, type ServerHandle } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

describe('MODULE', { skip: skipIfNoRedis() }, () => {
  let closed: DiffPair[] = [];
  after(async () => {
    await Promise.all(closed.map((p) => p.close()));
    closed = [];
  });

  test('enable-module-command no (the default): LIST and HELP answer, LOAD/LOADEX/UNLOAD are refused', async () => {
    const pair = await DiffPair.start();
    closed.push(pair);
    await pair.check([
      ['MODULE', 'LIST'],
      ['MODULE', 'HELP'],
      ['MODULE'],
      ['MODULE', 'NOSUCH'],
      ['MODULE', 'LIST', 'x'],
      ['MODULE', 'LOAD', '/nonexistent/mod.so'],
      ['MODULE', 'LOADEX', '/nonexistent/mod.so', 'CONFIG', 'a', 'b'],
      ['MODULE', 'UNLOAD', 'json'],
      ['MODULE', 'LOAD'],
      ['MODULE', 'UNLOAD'],
      ['MULTI'],
      ['MODULE', 'LOAD', '/nonexistent/mod.so'],
      ['EXEC'],
      ['CONFIG', 'GET', 'enable-module-command'],
      ['CONFIG', 'SET', 'enable-module-command', 'yes'],
    ]);
  });

  test('enable-module-command yes: a module that cannot load is refused and logged as redis-server does', async () => {
    const opts = { args: ['--enable-module-command', 'yes'] };
    const [o, t] = await Promise.all([startCinnabar(opts), startRedis(opts)]);
    const pair = await DiffPair.fromServers(o, t, true);
    closed.push(pair);
    await pair.check([
      ['MODULE', 'LOAD', '/nonexistent/mod.so'],
      ['MODULE', 'LOAD', '/nonexistent/mod.so', 'arg1', 'arg2'],
      ['MODULE', 'LOADEX', '/nonexistent/other.so', 'CONFIG', 'name', 'value', 'ARGS', 'x'],
      ['MODULE', 'LOADEX', '/nonexistent/other.so', 'CONFIG', 'name'],
      ['MODULE', 'UNLOAD', 'json'],
      ['MODULE', 'LIST'],
      ['MODULE', 'HELP'],
    ]);
    const line = 'Module /nonexistent/mod.so failed to load: /nonexistent/mod.so: cannot open shared object file: No such file or directory';
    const logged = (s: ServerHandle): boolean => s.output().includes(line);
    await waitFor('redis-server to log the failed load', () => logged(t), 5000);
    assert.ok(logged(o), `Cinnabar logs "${line}"`);
  });
});
