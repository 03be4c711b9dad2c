// The seeded bus simulator (test/helpers/bus-sim.ts) tested on its own, with toy endpoints
// that speak the real codec: a run replays exactly from its seed (same trace, same hash),
// other seeds give other runs, loss / delay / reordering / duplication / corruption /
// partitions / crashes do what they say and nothing more, and gossip over a lossy,
// partitioned network converges once healed. Seeds are printed; CINNABAR_SEED replays.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  BusProtocolError, decodeBusMessage, emptySlotBitmap, encodeBusMessage, MSG_PING, MSG_PONG, NODE_MASTER,
  type GossipEntry,
} from '../../src/cluster/bus-codec.js';
import { BusSim, type SimContext, type SimEndpoint, type SimFaults } from '../helpers/bus-sim.js';
import { seedFromEnv } from '../helpers/random.js';
import { replayOnFailure } from '../helpers/sequences.js';

const nameOf = (id: number) => id.toString(16).padStart(40, '0');

/** Pings a random peer each tick with everything it knows as gossip; answers PING with PONG; learns from both. */
class GossipNode implements SimEndpoint {
  readonly known = new Set<number>();
  readonly got: { from: number; seq: number; at: number }[] = [];
  rejected = 0;
  private seq = 0;
  constructor(private readonly ctx: SimContext) {
    this.known.add(ctx.id);
  }

  private frame(type: number): Buffer {
    const gossip: GossipEntry[] = [...this.known].filter((k) => k !== this.ctx.id).sort((a, b) => a - b).map((k) => ({
      nodeId: nameOf(k), pingSent: 0, pongReceived: 0, ip: '10.0.0.1', port: 7000 + k, cport: 17000 + k, pport: 0, flags: NODE_MASTER,
    }));
    return encodeBusMessage({
      header: {
        type, port: 7000 + this.ctx.id, pport: 0, cport: 17000 + this.ctx.id, currentEpoch: 0n, configEpoch: 0n,
        offset: BigInt(this.seq++), sender: nameOf(this.ctx.id), myslots: emptySlotBitmap(), slaveof: null, myip: '',
        flags: NODE_MASTER, state: 0, mflags: 0,
      },
      body: { kind: 'ping', gossip, exts: [] },
    });
  }

  tick(): void {
    // Only peers it knows of (node 0 knows everyone at start: the MEETs of a cluster create).
    const peers = this.ctx.peers.filter((p) => this.known.has(p));
    if (peers.length > 0) this.ctx.send(this.ctx.rng.pick(peers), this.frame(MSG_PING));
  }

  onFrame(from: number, frame: Buffer): void {
    let m;
    try {
      m = decodeBusMessage(frame);
    } catch (e) {
      if (!(e instanceof BusProtocolError)) throw e;
      this.rejected++;
      return;
    }
    this.got.push({ from, seq: Number(m.header.offset), at: this.ctx.now() });
    // A corrupted frame may still decode, naming nodes that do not exist: those are ignored.
    const learn = (name: string) => {
      const k = parseInt(name, 16);
      if (k >= 0 && k <= this.ctx.peers.length && nameOf(k) === name) this.known.add(k);
    };
    learn(m.header.sender);
    if (m.body.kind === 'ping') for (const g of m.body.gossip) learn(g.nodeId);
    if (m.header.type === MSG_PING) this.ctx.send(from, this.frame(MSG_PONG));
  }
}

function gossipSim(seed: number, n: number, faults: SimFaults): { sim: BusSim; nodes: GossipNode[] } {
  const nodes: GossipNode[] = [];
  const sim = new BusSim({ seed, endpoints: n, faults, tickMs: 100 }, (ctx) => {
    const g = new GossipNode(ctx);
    if (ctx.id === 0) for (const p of ctx.peers) g.known.add(p);
    nodes.push(g);
    return g;
  });
  return { sim, nodes };
}

const LOSSY: SimFaults = { lossRate: 0.2, dupRate: 0.05, delayMinMs: 1, delayMaxMs: 80 };

test('same seed, same run: identical trace and hash; another seed, another run', async () => {
  const seed = seedFromEnv('bus-sim determinism');
  await replayOnFailure(seed, async () => {
    const runs = [seed, seed, (seed + 1) >>> 0].map((s) => {
      const { sim } = gossipSim(s, 6, LOSSY);
      sim.runFor(3000);
      sim.partition([[0, 1, 2], [3, 4, 5]]);
      sim.runFor(2000);
      sim.heal();
      sim.runFor(2000);
      return sim;
    });
    assert.ok(runs[0]!.trace.length > 500, 'the run did something');
    assert.deepEqual(runs[1]!.trace, runs[0]!.trace);
    assert.equal(runs[1]!.traceHash, runs[0]!.traceHash);
    assert.deepEqual(runs[1]!.stats, runs[0]!.stats);
    assert.notEqual(runs[2]!.traceHash, runs[0]!.traceHash);
  });
});

test('no faults: every frame sent is delivered after the fixed delay', () => {
  const { sim } = gossipSim(7, 4, { delayMinMs: 5, delayMaxMs: 5 });
  sim.runFor(2000);
  const s = sim.stats;
  assert.ok(s.sent > 50);
  // Frames still in flight at the end are the only difference.
  assert.ok(s.sent - s.delivered <= 8, JSON.stringify(s));
  assert.deepEqual([s.lost, s.duplicated, s.corrupted, s.partitioned], [0, 0, 0, 0]);
  for (const l of sim.trace.filter((t) => t.includes(' deliver '))) {
    const [, at, sent] = /^t=(\d+) .* sent t=(\d+)$/.exec(l)!;
    assert.equal(Number(at) - Number(sent), 5, l);
  }
});

test('loss, delay bounds, reordering, duplication: in the proportions asked', () => {
  const seed = seedFromEnv('bus-sim faults');
  const { sim, nodes } = gossipSim(seed, 5, { lossRate: 0.3, dupRate: 0.1, delayMinMs: 2, delayMaxMs: 60 });
  sim.runFor(20000);
  const s = sim.stats;
  const lossRate = s.lost / s.sent, dupRate = s.duplicated / (s.sent - s.lost);
  assert.ok(lossRate > 0.22 && lossRate < 0.38, `loss ${lossRate} (seed ${seed})`);
  assert.ok(dupRate > 0.05 && dupRate < 0.15, `dup ${dupRate} (seed ${seed})`);
  for (const l of sim.trace.filter((t) => t.includes(' deliver '))) {
    const [, at, sent] = /^t=(\d+) .* sent t=(\d+)$/.exec(l)!;
    const d = Number(at) - Number(sent);
    assert.ok(d >= 2 && d <= 60, l);
  }
  // Reordering: some receiver got a later frame of a sender before an earlier one.
  const reordered = nodes.some((n) => {
    const last = new Map<number, number>();
    return n.got.some(({ from, seq }) => {
      const before = last.get(from) ?? -1;
      last.set(from, Math.max(before, seq));
      return seq < before;
    });
  });
  assert.ok(reordered, `no reordering seen (seed ${seed})`);
});

test('partitions cut exactly the cross-group frames; crashed endpoints neither tick nor receive', () => {
  const seed = seedFromEnv('bus-sim partition');
  const { sim, nodes } = gossipSim(seed, 4, { delayMinMs: 1, delayMaxMs: 10 });
  sim.runFor(1000);
  sim.partition([[0, 1], [2, 3]]);
  const mark = nodes.map((n) => n.got.length);
  sim.runFor(50); // frames in flight across the cut are dropped too
  const startAt = sim.now;
  sim.runFor(3000);
  nodes.forEach((n, i) => {
    const side = i < 2 ? [0, 1] : [2, 3];
    for (const g of n.got.slice(mark[i]).filter((g) => g.at >= startAt)) assert.ok(side.includes(g.from), `${g.from} reached ${i} across the cut`);
  });
  assert.ok(sim.stats.partitioned > 0);
  sim.heal();
  sim.crash(3);
  const got3 = nodes[3]!.got.length;
  const sentBefore = sim.trace.filter((t) => / send 3->/.test(t)).length;
  sim.runFor(3000);
  assert.equal(nodes[3]!.got.length, got3, 'a crashed endpoint receives nothing');
  assert.equal(sim.trace.filter((t) => / send 3->/.test(t)).length, sentBefore, 'a crashed endpoint does not tick');
  assert.ok(sim.stats.toCrashed > 0);
  sim.restart(3);
  assert.ok(sim.runUntilTrue(() => nodes[3]!.got.length > got3, 3000));
});

test('corruption: receivers see BusProtocolError for damaged frames, the run goes on', () => {
  const seed = seedFromEnv('bus-sim corruption');
  const { sim, nodes } = gossipSim(seed, 4, { corruptRate: 0.5, delayMinMs: 1, delayMaxMs: 20 });
  sim.runFor(5000);
  const rejected = nodes.reduce((n, x) => n + x.rejected, 0);
  assert.ok(sim.stats.corrupted > 0 && rejected > 0 && rejected <= sim.stats.corrupted, `${rejected} of ${sim.stats.corrupted}`);
});

test('gossip converges over a lossy network once a partition heals (seeded)', async () => {
  const seed = seedFromEnv('bus-sim convergence');
  await replayOnFailure(seed, async () => {
    const { sim, nodes } = gossipSim(seed, 8, LOSSY);
    sim.partition([[0, 1, 2, 3], [4, 5, 6, 7]]);
    sim.runFor(5000);
    // Node 0 knows all at start, so its side learns everyone; the other side only itself and its neighbours.
    assert.ok(nodes.slice(4).every((n) => ![0, 1, 2, 3].some((k) => n.known.has(k))));
    sim.heal();
    assert.ok(sim.runUntilTrue(() => nodes.every((n) => n.known.size === 8), 30000), 'every node knows every node');
  });
});

test('an endpoint that sends a malformed frame fails the run at the send', () => {
  const sim = new BusSim({ seed: 1, endpoints: 2 }, (ctx) => ({
    onFrame: () => {},
    tick: () => { if (ctx.id === 0) ctx.send(1, Buffer.from('RCmb nonsense')); },
  }));
  assert.throws(() => sim.runFor(500), BusProtocolError);
  assert.throws(() => new BusSim({ seed: 1, endpoints: 2 }, (ctx) => ({
    onFrame: () => {}, tick: () => ctx.send(ctx.id, Buffer.alloc(0)),
  })).runFor(500), RangeError);
});
