// Cluster mode's configuration file (cluster-config-file, nodes.conf), redis-server
// 7.0 against Cinnabar:
//   - a new node writes a file of one `myself,master` line and the vars line;
//   - a file with peers, a replica, open slots and epochs loads: CLUSTER NODES and
//     CLUSTER INFO say the same on both;
//   - every change (ADDSLOTS, SETSLOT, BUMPEPOCH) is in the file when its reply
//     arrives, written atomically (no temp file left), and a restart reads it back;
//   - corrupt and half-written files stop both servers with exit code 1 and
//     "Unrecoverable error: corrupted cluster config file.".
//
// Differences named:
//   - Cinnabar writes 7.2's nodes.conf: the address carries `,<hostname>,shard-id=<id>`
//     (7.0 writes `,<hostname>` only when one is set); both read either form;
//   - an unknown flag makes redis-server 7.0 panic (a crash report, exit by SIGSEGV
//     handler); Cinnabar refuses the file as corrupt, exit code 1;
//   - Cinnabar refuses a file whose last line has no newline (cut while written);
//     redis-server reads the part it gets. Cinnabar writes by rename, so only another
//     writer can leave such a file.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { REDIS_SERVER_PATH, cinnabarBinPath, freePort, skipIfNoRedis, startCinnabar, startRedis, type ServerHandle } from '../helpers/servers.js';
import { call, waitFor } from '../helpers/wait.js';
import { ConfDir, ID_B, ID_C, ID_ME, clusterArgs, threeNodeConf } from '../helpers/nodes-conf.js';

const confs = new ConfDir();
after(() => confs.cleanup());

const CORRUPT = 'Unrecoverable error: corrupted cluster config file.';

/** Starts `kind` on `conf` and waits until it exits or is ready (then kills it). */
async function startupOutcome(kind: 'redis' | 'cinnabar', conf: string): Promise<{ exit: string; out: string }> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dirname(conf), ...clusterArgs(conf)];
  const child = kind === 'redis' ? spawn(REDIS_SERVER_PATH, args) : spawn(process.execPath, [cinnabarBinPath(), ...args]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  let exit = '';
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, sig) => {
      exit = sig !== null ? `killed by ${sig}` : `exit ${code}`;
      resolve();
    }),
  );
  try {
    await waitFor(`${kind} to exit or get ready`, () => exit !== '' || /Ready to accept connections/.test(out), 20000);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await ended;
  }
  return { exit, out };
}

/** CLUSTER NODES lines sorted, with the server's own port and the ping/pong columns blanked. */
function nodesView(text: string, port: number): string[] {
  return text
    .trim()
    .split('\n')
    .map((l) => {
      const f = l.split(' ');
      f[1] = f[1].replace(`:${port}@${port + 10000}`, ':<port>@<cport>');
      // Times of the last PING sent and PONG received: the bus's (redis-server
      // counts a PING queued on a link still connecting).
      f[4] = '<t>';
      f[5] = '<t>';
      if (!f[2].includes('myself')) f[7] = '<link>';
      return f.join(' ');
    })
    .sort();
}

function infoFields(text: string, names: string[]): string {
  const m = new Map(text.trim().split('\r\n').map((l) => l.split(':') as [string, string]));
  return names.map((n) => `${n}:${m.get(n)}`).join('\n');
}

describe('cluster-config-file (nodes.conf), redis-server 7.0 against Cinnabar', { skip: skipIfNoRedis() }, () => {
  test('a new node writes myself and the vars line', async () => {
    const seen: string[] = [];
    for (const kind of ['redis', 'cinnabar'] as const) {
      const path = confs.file('', `fresh-${kind}.conf`);
      const start = kind === 'redis' ? startRedis : startCinnabar;
      const s = await start({ args: clusterArgs(path) });
      try {
        const id = String(await call(s.port, 'CLUSTER', 'MYID'));
        assert.match(id, /^[0-9a-f]{40}$/);
        await waitFor(`${kind} to write ${path}`, () => readFileSync(path, 'latin1').includes('vars'), 10000);
        const text = readFileSync(path, 'latin1');
        const lines = text.trim().split('\n');
        assert.equal(lines.length, 2, text);
        const f = lines[0].split(' ');
        assert.equal(f[0], id);
        // redis-server writes the file before it sets its ports (":0@0") and again
        // at the next change; Cinnabar writes it once listening, with the ports.
        assert.match(f[1], kind === 'redis' ? /^:0@0$/ : new RegExp(`^:${s.port}@${s.port + 10000},,shard-id=[0-9a-f]{40}$`));
        seen.push(`${f.slice(2).join(' ')} | ${lines[1]}`);
      } finally {
        await s.stop();
      }
    }
    assert.deepEqual(seen, ['myself,master - 0 0 0 connected | vars currentEpoch 0 lastVoteEpoch 0', 'myself,master - 0 0 0 connected | vars currentEpoch 0 lastVoteEpoch 0']);
  });

  test('a file with peers, a replica, open slots and epochs loads, changes are saved before the reply, a restart reads them', async () => {
    const text = threeNodeConf('0-99 200', '5461-16383', `[300-<-${ID_B}]`);
    const views: string[][] = [];
    const infos: string[] = [];
    const FIELDS = ['cluster_state', 'cluster_slots_assigned', 'cluster_known_nodes', 'cluster_size', 'cluster_current_epoch', 'cluster_my_epoch'];
    for (const kind of ['redis', 'cinnabar'] as const) {
      const path = confs.file(text, `peers-${kind}.conf`);
      const start = kind === 'redis' ? startRedis : startCinnabar;
      let s: ServerHandle = await start({ args: clusterArgs(path) });
      try {
        assert.equal(await call(s.port, 'CLUSTER', 'MYID'), ID_ME);
        views.push(nodesView(String(await call(s.port, 'CLUSTER', 'NODES')), s.port));
        infos.push(infoFields(String(await call(s.port, 'CLUSTER', 'INFO')), FIELDS));
        // Each change is in the file when the reply comes.
        assert.equal(await call(s.port, 'CLUSTER', 'ADDSLOTSRANGE', '1000', '1010'), 'OK');
        assert.match(readFileSync(path, 'latin1'), / 1000-1010( |\n)/);
        assert.equal(await call(s.port, 'CLUSTER', 'SETSLOT', '1005', 'MIGRATING', ID_B), 'OK');
        assert.ok(readFileSync(path, 'latin1').includes(`[1005->-${ID_B}]`));
        assert.equal(await call(s.port, 'CLUSTER', 'BUMPEPOCH'), 'BUMPED 8');
        assert.match(readFileSync(path, 'latin1'), /vars currentEpoch 8 lastVoteEpoch 3\n$/);
        const before = nodesView(String(await call(s.port, 'CLUSTER', 'NODES')), s.port);
        views.push(before);
        if (kind === 'cinnabar') {
          assert.deepEqual(readdirSync(dirname(path)).filter((f) => f.includes('.tmp-')), [], 'temp files left');
          // A restart on the same file gives the same view.
          await s.stop();
          s = await startCinnabar({ args: clusterArgs(path) });
          assert.deepEqual(nodesView(String(await call(s.port, 'CLUSTER', 'NODES')), s.port), before);
          assert.equal(infoFields(String(await call(s.port, 'CLUSTER', 'INFO')), ['cluster_current_epoch', 'cluster_my_epoch']), 'cluster_current_epoch:8\ncluster_my_epoch:8');
        }
      } finally {
        await s.stop();
      }
    }
    assert.deepEqual(views[2], views[0], 'loaded view');
    assert.deepEqual(views[3], views[1], 'view after the changes');
    assert.equal(infos[1], infos[0]);
    assert.ok(views[0].some((l) => l.startsWith(`${ID_C} `) && l.includes(` slave ${ID_B} `)), views[0].join('\n'));
  });

  test('corrupt and half-written files stop both servers with exit code 1', async () => {
    const good = threeNodeConf();
    const cases: Array<[string, string]> = [
      ['garbage', 'this is not a nodes.conf\n'],
      ['cut in the middle of a line', good.slice(0, good.indexOf('\n') + 30)],
      ['cut in the middle of a line, with a newline', good.slice(0, good.indexOf('\n') + 30) + '\n'],
      ['no myself', good.replace('myself,master', 'master')],
      ['no port', `${ID_ME} 127.0.0.1 myself,master - 0 0 0 connected\n`],
    ];
    for (const [name, text] of cases) {
      for (const kind of ['redis', 'cinnabar'] as const) {
        // Redis reads a file without a final newline (the cut case): only Cinnabar is asked about it.
        if (kind === 'redis' && name === 'cut in the middle of a line') continue;
        const path = confs.file(text);
        const { exit, out } = await startupOutcome(kind, path);
        assert.equal(exit, 'exit 1', `${kind}, ${name}: ${out}`);
        assert.ok(out.includes(CORRUPT), `${kind}, ${name}: ${out}`);
      }
    }
    // Named difference: an unknown flag crashes redis-server 7.0; Cinnabar refuses the file.
    const { exit, out } = await startupOutcome('cinnabar', confs.file(good.replace('myself,master', 'myself,master,bogus')));
    assert.equal(exit, 'exit 1', out);
    assert.ok(out.includes(CORRUPT) && out.includes("Unknown flag in redis cluster config file: 'bogus'"), out);
  });
});
