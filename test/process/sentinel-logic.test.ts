// The sentinel's decisions, driven in-process without a network: replica
// selection order, voting (once per epoch, persisted), hello processing, the
// config file round trip, and a seeded simulation of elections with lost and
// reordered messages checking that no epoch ever has two leaders.

import { createServer } from '../../src/compose/compose.js';
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import type { RespClient } from '../../src/protocol/resp-client.js';
import { Sentinel } from '../../src/sentinel/sentinel.js';
import { sentinelCommandTable } from '../../src/sentinel/commands.js';
import { applySentinelDirective, renderSentinelConfig } from '../../src/sentinel/sentinel-conf.js';
import { SRI_S_DOWN, type Instance } from '../../src/sentinel/instance.js';
import { rngFromEnv } from '../helpers/random.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function newSentinel(id?: string): Sentinel {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-sentinel-logic-'));
  dirs.push(dir);
  const file = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(file, '');
  const config = new Config();
  config.set('port', ['26379']);
  config.set('save', ['']);
  config.set('loglevel', ['nothing']);
  const log = new Logger();
  log.level = 'nothing';
  const server = createServer(config, log, sentinelCommandTable());
  server.mode = 'sentinel';
  const s = new Sentinel(server, file);
  if (id !== undefined) s.myid = id;
  s.loading = false;
  if (s.myid === '') s.myid = id ?? '0'.repeat(40);
  return s;
}

/** Makes an instance look connected and healthy without a network. */
function fakeUp(ri: Instance, now = Date.now()): void {
  ri.link.cc = { pendingCount: 0 } as unknown as RespClient;
  ri.link.pc = { pendingCount: 0 } as unknown as RespClient;
  ri.link.lastAvailTime = now;
  ri.link.actPingTime = 0;
  ri.infoRefresh = now;
}

const id = (c: string): string => c.repeat(40);

describe('sentinel logic', () => {
  test('replica selection: priority, then offset, then run id; unusable replicas skipped', () => {
    const s = newSentinel(id('a'));
    const m = s.createMaster('m', '10.0.0.1', 6379, 2);
    const mk = (port: number, prio: number, offset: number, runid: string | null): Instance => {
      const r = s.createSlave(m, '10.0.0.2', port)!;
      fakeUp(r);
      r.slavePriority = prio;
      r.slaveReplOffset = offset;
      r.runid = runid;
      return r;
    };
    const a = mk(1, 100, 500, id('c'));
    const b = mk(2, 100, 900, id('d'));
    const c = mk(3, 10, 100, id('e'));
    const z = mk(4, 0, 10000, id('0'));
    assert.equal(s.selectSlave(m), c, 'lowest priority first');
    c.flags |= SRI_S_DOWN;
    assert.equal(s.selectSlave(m), b, 'then the largest offset');
    b.slaveReplOffset = 500;
    assert.equal(s.selectSlave(m), a, 'then the smallest run id');
    a.runid = null;
    assert.equal(s.selectSlave(m), b, 'an unknown run id comes last');
    b.link.cc = null;
    a.infoRefresh = Date.now() - 60000;
    assert.equal(s.selectSlave(m), null, 'disconnected, stale INFO and priority 0 are never chosen');
    void z;
  });

  test('votes: once per epoch, never backwards, written to the config file', () => {
    const s = newSentinel(id('a'));
    const m = s.createMaster('m', '10.0.0.1', 6379, 2);
    assert.deepEqual(s.voteLeader(m, 5, id('b')), { leader: id('b'), epoch: 5 });
    assert.equal(s.currentEpoch, 5);
    assert.deepEqual(s.voteLeader(m, 5, id('c')), { leader: id('b'), epoch: 5 }, 'a second candidate in the same epoch gets the first vote back');
    assert.deepEqual(s.voteLeader(m, 4, id('c')), { leader: id('b'), epoch: 5 }, 'an older epoch changes nothing');
    assert.deepEqual(s.voteLeader(m, 6, id('c')), { leader: id('c'), epoch: 6 });
    const conf = fs.readFileSync(s.configFile, 'latin1');
    assert.match(conf, /^sentinel leader-epoch m 6$/m);
    assert.match(conf, /^sentinel current-epoch 6$/m);
  });

  test('hello messages: new sentinels, epochs, and newer configurations are adopted', () => {
    const s = newSentinel(id('a'));
    const m = s.createMaster('m', '10.0.0.1', 6379, 2);
    s.processHello(`10.0.0.9,26379,${id('b')},3,m,10.0.0.1,6379,0`);
    assert.equal(m.sentinels.size, 1);
    assert.equal(s.currentEpoch, 3);
    // Our own hello and malformed ones are ignored.
    s.processHello(`10.0.0.8,26379,${id('a')},9,m,10.0.0.1,6379,0`);
    s.processHello('garbage');
    s.processHello(`10.0.0.9,26379,${id('b')},3,other,10.0.0.1,6379,0`);
    assert.equal(m.sentinels.size, 1);
    assert.equal(s.currentEpoch, 3);
    // A newer configuration (config epoch 3 > 0) moves the master; the old address becomes a replica.
    s.createSlave(m, '10.0.0.2', 6379);
    s.processHello(`10.0.0.9,26379,${id('b')},3,m,10.0.0.2,6379,3`);
    assert.deepEqual(m.addr, { host: '10.0.0.2', port: 6379, ip: '10.0.0.2' });
    assert.equal(m.configEpoch, 3);
    assert.deepEqual([...m.slaves.keys()], ['10.0.0.1:6379']);
    // An older one does not move it back.
    s.processHello(`10.0.0.9,26379,${id('b')},3,m,10.0.0.1,6379,2`);
    assert.deepEqual(m.addr, { host: '10.0.0.2', port: 6379, ip: '10.0.0.2' });
    // The same sentinel at a new address replaces the old entry.
    s.processHello(`10.0.0.7,26380,${id('b')},3,m,10.0.0.2,6379,3`);
    assert.equal(m.sentinels.size, 1);
    assert.deepEqual(m.sentinels.get(id('b'))!.addr, { host: '10.0.0.7', port: 26380, ip: '10.0.0.7' });
  });

  test('the config file round trip restores the state', () => {
    const s = newSentinel(id('a'));
    const m = s.createMaster('my master', '10.0.0.1', 6380, 2);
    m.downAfterMs = 1500;
    m.failoverTimeout = 9000;
    m.parallelSyncs = 3;
    m.authPass = 'p"w';
    m.configEpoch = 7;
    m.leaderEpoch = 8;
    m.renamedCommands.set('config', 'xconfig');
    s.currentEpoch = 8;
    s.createSlave(m, '10.0.0.2', 6381);
    s.createSentinelPeer(m, '10.0.0.3', 26379, id('b'));
    s.settings.announceIp = '1.2.3.4';
    const lines = renderSentinelConfig(s);
    const t = newSentinel();
    t.loading = true;
    for (const l of lines) {
      const argv = l.match(/"(?:[^"\\]|\\.)*"|\S+/g)!.map((w) => (w.startsWith('"') ? JSON.parse(w) : w));
      applySentinelDirective(t, argv.slice(1));
    }
    assert.equal(t.myid, id('a'));
    assert.equal(t.currentEpoch, 8);
    assert.equal(t.settings.announceIp, '1.2.3.4');
    const n = t.masters.get('my master')!;
    assert.deepEqual(n.addr, { host: '10.0.0.1', port: 6380, ip: '10.0.0.1' });
    assert.equal(n.downAfterMs, 1500);
    assert.equal(n.failoverTimeout, 9000);
    assert.equal(n.parallelSyncs, 3);
    assert.equal(n.authPass, 'p"w');
    assert.equal(n.configEpoch, 7);
    assert.equal(n.leaderEpoch, 8);
    assert.equal(n.renamedCommands.get('config'), 'xconfig');
    assert.deepEqual([...n.slaves.keys()], ['10.0.0.2:6381']);
    assert.deepEqual([...n.sentinels.keys()], [id('b')]);
    assert.deepEqual(renderSentinelConfig(t), lines);
  });

  test('election simulation: never two leaders in one epoch (seeded; CINNABAR_SEED replays)', () => {
    const rng = rngFromEnv('sentinel elections');
    const N = 5;
    const ids = Array.from({ length: N }, (_, i) => String.fromCharCode(97 + i).repeat(40));
    const nodes = ids.map((x) => newSentinel(x));
    const masters = nodes.map((s) => s.createMaster('m', '10.0.0.1', 6379, 2));
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) nodes[i].createSentinelPeer(masters[i], '10.0.0.9', 26379 + j, ids[j]);
    // Every vote cast: voter -> epoch -> candidate.
    const ledger = new Map<string, Map<number, string>>();
    const record = (voter: string, v: { leader: string | null; epoch: number }): void => {
      if (v.leader === null) return;
      let byEpoch = ledger.get(voter);
      if (!byEpoch) ledger.set(voter, (byEpoch = new Map()));
      const prev = byEpoch.get(v.epoch);
      assert.ok(prev === undefined || prev === v.leader, `${voter.slice(0, 4)} voted twice in epoch ${v.epoch}: ${prev?.slice(0, 4)} and ${v.leader.slice(0, 4)}`);
      byEpoch.set(v.epoch, v.leader);
    };
    // Replies in flight: delivered later, out of order, or lost.
    const inflight: Array<() => void> = [];
    const leaders = new Map<number, Set<string>>();
    for (let step = 0; step < 3000; step++) {
      const r = rng.int(10);
      if (r === 0) {
        // Epochs travel in hello messages too: a sentinel learns a newer one.
        const k = rng.int(N);
        const top = Math.max(...nodes.map((n) => n.currentEpoch));
        if (top > nodes[k].currentEpoch) nodes[k].currentEpoch = top;
      } else if (r === 1) {
        // A sentinel starts a failover attempt in a new epoch (or, already trying,
        // asks again) and asks for votes in the failover's epoch.
        const i = rng.int(N);
        const s = nodes[i];
        const m = masters[i];
        if (m.failoverState === 0) s.startFailover(m);
        for (let j = 0; j < N; j++) {
          if (j === i || rng.bool(0.3)) continue;
          const epoch = m.failoverEpoch;
          inflight.push(() => {
            const v = nodes[j].voteLeader(masters[j], epoch, ids[i]);
            record(ids[j], v);
            inflight.push(() => {
              // The reply reaches the candidate (the peer's record of its vote).
              const peer = masters[i].sentinels.get(ids[j])!;
              peer.leader = v.leader;
              peer.leaderEpoch = v.epoch;
            });
          });
        }
      } else if (r < 8 && inflight.length > 0) {
        const k = rng.int(inflight.length);
        const [f] = inflight.splice(k, 1);
        if (rng.bool(0.9)) f();
      } else {
        // Candidates count their votes.
        for (let i = 0; i < N; i++) {
          const m = masters[i];
          if (m.failoverState === 0) continue;
          const w = nodes[i].getLeader(m, m.failoverEpoch);
          record(ids[i], { leader: m.leader, epoch: m.leaderEpoch });
          if (w === ids[i]) {
            let set = leaders.get(m.failoverEpoch);
            if (!set) leaders.set(m.failoverEpoch, (set = new Set()));
            set.add(w);
            nodes[i].abortFailover(m);
          } else if (rng.bool(0.05)) nodes[i].abortFailover(m);
        }
      }
    }
    for (const [epoch, set] of leaders) assert.equal(set.size, 1, `epoch ${epoch} had leaders ${[...set].map((x) => x.slice(0, 4)).join(', ')}`);
    // And every epoch's winner had a majority of the votes cast in that epoch.
    for (const [epoch, set] of leaders) {
      const [winner] = [...set];
      let votes = 0;
      for (const byEpoch of ledger.values()) if (byEpoch.get(epoch) === winner) votes++;
      assert.ok(votes >= Math.floor(N / 2) + 1, `epoch ${epoch}: leader with ${votes} votes`);
    }
    console.log(`# election simulation: ${leaders.size} epochs elected a leader, ${[...ledger.values()].reduce((n, m) => n + m.size, 0)} votes cast`);
    assert.ok(leaders.size > 0, 'the simulation elected someone');
  });
});
