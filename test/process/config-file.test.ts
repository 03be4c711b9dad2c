// A config file as redis-server reads it, both servers side by side: `save ` with no
// argument (what tools write for `save ""`) means no save points, and
// `always-show-logo yes` prints the logo with its `Port: ` and ` PID: ` lines, which
// Redis's own test tooling looks for. Without it and without a terminal, the one
// "Running mode=..., port=..." line instead.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import type { RespClient } from '../../src/protocol/resp-client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-conffile-'));
const servers: ServerHandle[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function configGet(c: RespClient, name: string): Promise<string> {
  const r = await c.call('CONFIG', 'GET', name);
  assert.ok(r.t === 'array' && r.v && r.v.length === 2, `CONFIG GET ${name}`);
  const v = r.v[1]!;
  assert.ok(v.t === 'bulk');
  return v.v as string;
}

const KINDS = [
  ['redis', startRedis],
  ['cinnabar', startCinnabar],
] as const;

describe('config files as redis-server reads them', { skip: skipIfNoRedis() }, () => {
  test('`save ` alone: both start with no save points; a later bare save adds nothing', async () => {
    for (const [lines, want] of [
      [['save '], ''],
      [['save 900 1', 'save '], '900 1'],
    ] as const) {
      const conf = path.join(tmp, `save-${want || 'none'}.conf`);
      fs.writeFileSync(conf, lines.join('\n') + '\n');
      const got: string[] = [];
      for (const [, start] of KINDS) {
        const s = await start({ configFile: conf, fileSave: true });
        servers.push(s);
        const c = await s.client();
        got.push(await configGet(c, 'save'));
        await s.stop();
      }
      assert.deepEqual(got, [want, want], `${JSON.stringify(lines)}: redis-server, Cinnabar`);
    }
  });

  test('always-show-logo yes: the logo with Port: and PID:; no: the Running mode line', async () => {
    for (const [kind, start] of KINDS) {
      const logo = await start({ args: ['--always-show-logo', 'yes'] });
      servers.push(logo);
      const out = logo.output();
      assert.ok(out.includes(` PID: ${logo.pid}`), `${kind}: PID line in\n${out}`);
      assert.ok(out.includes(`Port: ${logo.port}`), `${kind}: Port line`);
      assert.match(out, /Running in standalone mode/, `${kind}: mode line`);
      assert.doesNotMatch(out, /Running mode=/, kind);
      await logo.stop();
      const plain = await start({});
      servers.push(plain);
      assert.match(plain.output(), new RegExp(`Running mode=standalone, port=${plain.port}\\.`), kind);
      assert.doesNotMatch(plain.output(), / PID: /, kind);
      await plain.stop();
    }
  });
});
