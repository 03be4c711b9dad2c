// redis-cli --cluster reshard, check, info and call on a 3-primary cluster of
// Cinnabar nodes and of redis-server nodes, the same steps on each: keys written
// through redirections, 300 slots resharded from the first primary to the second
// (exit code 0), the slots and keys found on the target, every key still readable,
// and check/info/call agreeing with the move.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { withCluster, clusterNodes, type NodeKind } from '../helpers/cluster.js';
import { skipIfNoRedis } from '../helpers/servers.js';
import { call } from '../helpers/wait.js';

function redisCli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('redis-cli', args, { timeout: 120000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }));
  });
}

const KEYS = 200;

for (const kind of ['cinnabar', 'redis'] as NodeKind[]) {
  describe(`redis-cli --cluster tools on ${kind} nodes`, { skip: skipIfNoRedis() }, () => {
    test('reshard, check, info and call', async () => {
      await withCluster({ primaries: 3, replicasEach: 0, kinds: [kind, kind, kind] }, async (cl) => {
        const [a, b] = cl.nodes;
        for (let i = 0; i < KEYS; i++) {
          const r = await redisCli(['-c', '-p', String(cl.nodes[i % 3]!.port), 'SET', `key:${i}`, `v${i}`]);
          assert.equal(r.out.trim(), 'OK');
        }
        const before = Number(await call(b!.port, 'DBSIZE'));
        const rs = await redisCli(['--cluster', 'reshard', `127.0.0.1:${a!.port}`, '--cluster-from', a!.id, '--cluster-to', b!.id, '--cluster-slots', '300', '--cluster-yes']);
        assert.equal(rs.code, 0, rs.out);
        const bLine = (await clusterNodes(a!.port)).find((l) => l.id === b!.id)!;
        assert.ok(bLine.slots.some(([x, y]) => x === 0 && y === 299), JSON.stringify(bLine.slots));
        const after = Number(await call(b!.port, 'DBSIZE'));
        assert.ok(after > before, `${before} -> ${after}`);
        for (let i = 0; i < KEYS; i++) {
          const r = await redisCli(['-c', '-p', String(a!.port), 'GET', `key:${i}`]);
          assert.equal(r.out.trim(), `v${i}`);
        }
        const check = await redisCli(['--cluster', 'check', `127.0.0.1:${a!.port}`]);
        assert.equal(check.code, 0, check.out);
        assert.match(check.out, /All 16384 slots covered/);
        assert.doesNotMatch(check.out, /\[WARNING\]|\[ERR\]/, check.out);
        const info = await redisCli(['--cluster', 'info', `127.0.0.1:${a!.port}`]);
        assert.match(info.out, new RegExp(`${KEYS} keys in 3 masters`), info.out);
        const dbsize = await redisCli(['--cluster', 'call', `127.0.0.1:${a!.port}`, 'DBSIZE']);
        assert.equal(dbsize.code, 0, dbsize.out);
        assert.match(dbsize.out, new RegExp(`127\\.0\\.0\\.1:${b!.port}: ${after}\\b`), dbsize.out);
      });
    });
  });
}
