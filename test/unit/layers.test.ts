// The import direction of src/ (.dependency-cruiser.cjs): every import flows down the
// layers, the rule set catches an upward import when one is planted, and the command
// table loads no server, socket, persistence or replication module.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/servers.js';

const DEPCRUISE = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');

interface CruiseResult {
  summary: { violations: Array<{ from: string; to: string; rule: { name: string } }>; error: number };
  modules: Array<{ source: string; dependencies: Array<{ resolved: string; coreModule: boolean; dynamic: boolean }> }>;
}

/** Runs dependency-cruiser in `cwd` on `targets` and returns its JSON (it exits non-zero on violations). */
function cruise(cwd: string, targets: string[]): CruiseResult {
  let out: string;
  try {
    out = execFileSync(DEPCRUISE, [...targets, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  } catch (e) {
    const err = e as { stdout?: string };
    if (!err.stdout) throw e;
    out = err.stdout;
  }
  return JSON.parse(out) as CruiseResult;
}

test('src/ imports flow down the layers: no violation', () => {
  const r = cruise(REPO_ROOT, ['src']);
  const v = r.summary.violations.map((x) => `${x.rule.name}: ${x.from} -> ${x.to}`);
  assert.deepEqual(v, []);
  assert.ok(r.modules.length > 50, `cruised only ${r.modules.length} modules`);
});

test('the rules catch an upward import, a type-only one, and a folder without a layer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-layers-'));
  try {
    copyFileSync(join(REPO_ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }));
    for (const d of ['types', 'server', 'commands', 'mystery']) mkdirSync(join(dir, 'src', d), { recursive: true });
    writeFileSync(join(dir, 'src/server/server.ts'), 'export class Server {}\n');
    // types/ calling up into server/, and commands/ naming a server type only.
    writeFileSync(join(dir, 'src/types/up.ts'), "import { Server } from '../server/server.js';\nexport const s = new Server();\n");
    writeFileSync(join(dir, 'src/commands/typed.ts'), "import type { Server } from '../server/server.js';\nexport type T = Server;\n");
    writeFileSync(join(dir, 'src/mystery/x.ts'), "import { Server } from '../server/server.js';\nexport const m = Server;\n");
    const r = cruise(dir, ['src']);
    const got = r.summary.violations.map((x) => `${x.rule.name} ${x.from}`).sort();
    assert.deepEqual(got, ['layer-commands src/commands/typed.ts', 'layer-types src/types/up.ts', 'unknown-folder src/mystery/x.ts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command table stands alone: importing it reaches no server, subsystem or socket module', () => {
  const r = cruise(REPO_ROOT, ['src/commands/index.ts']);
  const reached = new Set<string>();
  for (const m of r.modules) {
    reached.add(m.source);
    for (const d of m.dependencies) reached.add(d.resolved);
  }
  const forbidden = [...reached].filter((p) => /^src\/(server|persistence|replication|sentinel|compose|cli)\//.test(p) || /^(node:)?(net|tls|dgram|http|https|child_process|worker_threads)$/.test(p));
  assert.deepEqual(forbidden, []);
  // It does reach the whole table: every family and the command data.
  for (const f of ['src/commands/table.ts', 'src/commands/strings.ts', 'src/commands/persistence-commands.ts', 'src/commands/replication-commands.ts', 'src/commands/docs/index.ts']) {
    assert.ok(reached.has(f), `${f} not reached`);
  }
});

test('the command table loads in a process of its own and lists every command with its key positions', () => {
  // A fresh process imports only the table and reports what Node loaded: no socket
  // module (net) and no server module appears among the loaded ES modules' URLs.
  const script = `
    const t = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/commands/table.js'))});
    const { ALL_COMMANDS } = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/commands/index.js'))});
    const table = new t.CommandTable();
    table.register(ALL_COMMANDS);
    const mset = table.lookup('mset');
    const net = process.moduleLoadList.filter((m) => / (net|tls)$/.test(m));
    console.log(JSON.stringify({ size: table.size, keys: t.getKeyPositions(mset, ['MSET', 'a', '1', 'b', '2']), net }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  const r = JSON.parse(out) as { size: number; keys: number[]; net: string[] };
  assert.ok(r.size > 150, `only ${r.size} commands`);
  assert.deepEqual(r.keys, [1, 3]);
  assert.deepEqual(r.net, []);
});
