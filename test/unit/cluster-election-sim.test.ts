// Elections under message loss and reordering, in the seeded bus simulation
// (test/helpers/bus-sim.ts's SimClusterNode: each node is a real ClusterState driven by the
// real src/cluster/failover.ts over a virtual network). 3 primaries with 2 replicas each;
// a primary crashes; a replica of it must win, and then:
//   - at most one winner per epoch (no two nodes won the same epoch);
//   - every primary voted at most once per epoch;
//   - once the network settles, every live node sees every slot owned by exactly the
//     same node, a live primary, and the winner has the crashed primary's slots;
//   - the crashed primary, restarted, becomes a replica of the winner (a greater config
//     epoch took its slots).
// A second case partitions a primary away with its replicas in the minority: no election
// wins there, the majority side elects, and after healing the slot map is one again.
// Frames are not duplicated: TCP does not, and Redis counts a vote per ACK received.
// Seeds are printed; CINNABAR_SEED replays one; a failure prints the seed and the logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { clusterSim, type SimClusterNode } from '../helpers/bus-sim.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { replayOnFailure } from '../helpers/sequences.js';
import { CLUSTER_SLOTS } from '../../src/keyspace/hash-slot.js';

const PRIMARIES = 3;
const REPLICAS = 2;
/** Seeds per case (each a few hundred ms of CPU). */
const SEEDS = 8;

function checkSafety(nodes: SimClusterNode[]): void {
  const winners = new Map<string, string>();
  for (const n of nodes) {
    for (const e of n.fo.won) {
      const prev = winners.get(String(e));
      assert.equal(prev, undefined, `epoch ${e} won by ${prev} and ${n.me.id}`);
      winners.set(String(e), n.me.id);
    }
    const epochs = n.fo.votes.map((v) => String(v.epoch));
    assert.equal(new Set(epochs).size, epochs.length, `${n.me.id} voted twice in an epoch: ${epochs.join(',')}`);
  }
}

/** Every live node has the same owner for every slot, and it is a live primary in every view. */
function slotMapsAgree(nodes: SimClusterNode[], live: (i: number) => boolean): string | null {
  const ref = nodes.find((_, i) => live(i))!;
  for (let j = 0; j < CLUSTER_SLOTS; j++) {
    const owner = ref.st.slots[j];
    if (owner === null) return `slot ${j} has no owner`;
    const oi = parseInt(owner.id, 16) - 1;
    if (!live(oi)) return `slot ${j} owned by a dead node`;
    for (let i = 0; i < nodes.length; i++) {
      if (!live(i)) continue;
      const o = nodes[i]!.st.slots[j];
      if (o?.id !== owner.id) return `slot ${j}: node ${i} says ${o?.id}, node ${nodes.indexOf(ref)} says ${owner.id}`;
      if (!o.isPrimary) return `slot ${j}: its owner is not a primary for node ${i}`;
    }
  }
  return null;
}

function logsOf(nodes: SimClusterNode[]): string {
  return nodes.map((n, i) => `--- node ${i}\n${n.log.slice(-25).join('\n')}`).join('\n');
}

test('election after a primary crash, under loss and reordering', async () => {
  const base = seedFromEnv('cluster election sim');
  const single = process.env['CINNABAR_SEED'] !== undefined;
  for (let k = 0; k < (single ? 1 : SEEDS); k++) {
    const seed = single ? base : new Rng(base + k).next();
    await replayOnFailure(seed, async () => {
      const rng = new Rng(seed);
      const { sim, nodes } = clusterSim({ seed, primaries: PRIMARIES, replicasEach: REPLICAS, faults: { lossRate: 0.05 + rng.float() * 0.1, delayMinMs: 1, delayMaxMs: 80 } });
      try {
        sim.runFor(3000);
        const victim = rng.int(PRIMARIES);
        const slotsOfVictim = nodes[victim]!.me.numSlots;
        sim.crash(victim);
        const replicas = nodes.filter((_, i) => i >= PRIMARIES && (i - PRIMARIES) % PRIMARIES === victim);
        const won = sim.runUntilTrue(() => replicas.some((r) => r.me.isPrimary && r.me.numSlots === slotsOfVictim), 30_000);
        assert.ok(won, 'no replica of the crashed primary won an election within 30 s');
        const winner = replicas.find((r) => r.me.isPrimary)!;
        const settled = sim.runUntilTrue(() => slotMapsAgree(nodes, (i) => i !== victim) === null, 20_000);
        assert.ok(settled, slotMapsAgree(nodes, (i) => i !== victim) ?? '');
        checkSafety(nodes);
        // The crashed primary comes back: it follows the winner.
        sim.restart(victim);
        const v = nodes[victim]!;
        const rejoined = sim.runUntilTrue(() => v.me.isReplica && v.me.primary?.id === winner.me.id && v.me.numSlots === 0 && slotMapsAgree(nodes, () => true) === null, 20_000);
        assert.ok(rejoined, `the old primary did not rejoin as a replica of the winner: ${slotMapsAgree(nodes, () => true)}`);
        checkSafety(nodes);
        console.log(`seed ${seed}: primary ${victim} crashed, node ${nodes.indexOf(winner)} won epoch ${winner.fo.won.join(',')}; ` +
          `${sim.stats.sent} frames, ${sim.stats.lost} lost; trace ${sim.traceHash}`);
      } catch (e) {
        console.log(logsOf(nodes));
        throw e;
      }
    });
  }
});

test('a partitioned minority cannot elect; the majority does; one slot map after healing', async () => {
  const base = seedFromEnv('cluster partition sim');
  const single = process.env['CINNABAR_SEED'] !== undefined;
  for (let k = 0; k < (single ? 1 : SEEDS); k++) {
    const seed = single ? base : new Rng(base + k).next();
    await replayOnFailure(seed, async () => {
      const rng = new Rng(seed);
      const { sim, nodes } = clusterSim({ seed, primaries: PRIMARIES, replicasEach: REPLICAS, faults: { lossRate: rng.float() * 0.1, delayMinMs: 1, delayMaxMs: 60 } });
      try {
        sim.runFor(3000);
        // Primary p and one of its replicas on one side; everyone else on the other.
        const p = rng.int(PRIMARIES);
        const mine = nodes.map((_, i) => i).filter((i) => i >= PRIMARIES && (i - PRIMARIES) % PRIMARIES === p);
        const minority = [p, mine[0]!];
        const majority = nodes.map((_, i) => i).filter((i) => !minority.includes(i));
        sim.partition([minority, majority]);
        const other = nodes[mine[1]!]!;
        const elected = sim.runUntilTrue(() => other.me.isPrimary, 30_000);
        assert.ok(elected, 'the replica on the majority side was not elected');
        sim.runFor(3000);
        // The minority's replica never won: it cannot reach a majority of primaries.
        assert.equal(nodes[mine[0]!]!.fo.won.length, 0, 'a replica in the minority won an election');
        assert.equal(nodes[p]!.st.state, 'fail', 'the minority primary still says ok');
        sim.heal();
        const one = sim.runUntilTrue(() => slotMapsAgree(nodes, () => true) === null && nodes[p]!.me.isReplica, 30_000);
        assert.ok(one, `after healing: ${slotMapsAgree(nodes, () => true)}; old primary replica: ${nodes[p]!.me.isReplica}`);
        checkSafety(nodes);
        console.log(`seed ${seed}: primary ${p} partitioned away; node ${mine[1]} won epoch ${other.fo.won.join(',')}; ${sim.stats.sent} frames, trace ${sim.traceHash}`);
      } catch (e) {
        console.log(logsOf(nodes));
        throw e;
      }
    });
  }
});

test('two primaries crash at once (5 primaries): both replicas are elected, in distinct epochs', async () => {
  const base = seedFromEnv('cluster double-failure sim');
  const single = process.env['CINNABAR_SEED'] !== undefined;
  for (let k = 0; k < (single ? 1 : SEEDS / 2); k++) {
    const seed = single ? base : new Rng(base + k).next();
    await replayOnFailure(seed, async () => {
      const rng = new Rng(seed);
      const { sim, nodes } = clusterSim({ seed, primaries: 5, replicasEach: 1, faults: { lossRate: rng.float() * 0.1, delayMinMs: 1, delayMaxMs: 80 } });
      try {
        sim.runFor(3000);
        const a = rng.int(5);
        const b = (a + 1 + rng.int(4)) % 5;
        sim.crash(a);
        sim.crash(b);
        const ra = nodes[5 + a]!;
        const rb = nodes[5 + b]!;
        const live = (i: number) => i !== a && i !== b;
        const done = sim.runUntilTrue(() => ra.me.isPrimary && rb.me.isPrimary && slotMapsAgree(nodes, live) === null, 40_000);
        assert.ok(done, `replicas elected: ${ra.me.isPrimary}, ${rb.me.isPrimary}; ${slotMapsAgree(nodes, live)}`);
        checkSafety(nodes);
        assert.notEqual(ra.fo.won.at(-1), rb.fo.won.at(-1));
        console.log(`seed ${seed}: primaries ${a} and ${b} crashed; epochs won ${ra.fo.won.join(',')} and ${rb.fo.won.join(',')}; ${sim.stats.sent} frames`);
      } catch (e) {
        console.log(logsOf(nodes));
        throw e;
      }
    });
  }
});

test('the same seed replays the same election', () => {
  const run = () => {
    const { sim, nodes } = clusterSim({ seed: 12345, primaries: PRIMARIES, replicasEach: REPLICAS, faults: { lossRate: 0.1, delayMinMs: 1, delayMaxMs: 80 } });
    sim.runFor(3000);
    sim.crash(0);
    sim.runFor(10_000);
    return { hash: sim.traceHash, won: nodes.map((n) => n.fo.won.join(',')).join('|') };
  };
  const a = run();
  const b = run();
  assert.deepEqual(a, b);
  assert.notEqual(a.won.replace(/\|/g, ''), '', 'nobody won in the replayed run');
});
