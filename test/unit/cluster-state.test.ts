// The cluster state's text forms (src/cluster/state.ts): a nodes.conf parsed and
// written again gives the same text (7.2 form) or the 7.2 form of a 7.0 file; slots,
// open slots, flags, replicas, epochs and the vars line survive; bad files throw
// NodesConfError naming what is wrong, never anything else.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configText, NodesConfError, parseNodesConf, nodeLine, NODE_PFAIL } from '../../src/cluster/state.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const SA = '1'.repeat(40);
const SB = '2'.repeat(40);

describe('nodes.conf', () => {
  test('a 7.2 file round-trips', () => {
    const text =
      `${A} 127.0.0.1:7000@17000,host-a,shard-id=${SA} myself,master - 0 0 3 connected 0-99 200 [5->-${B}] [300-<-${B}]\n` +
      `${B} 127.0.0.1:7001@17001,,shard-id=${SB} master - 0 0 2 disconnected 101-199\n` +
      `${C} 127.0.0.1:7002@17002,,shard-id=${SB} slave ${B} 0 0 2 disconnected\n` +
      'vars currentEpoch 9 lastVoteEpoch 4\n';
    const st = parseNodesConf(text, 1000);
    assert.equal(st.myself.id, A);
    assert.equal(st.myself.hostname, 'host-a');
    assert.equal(st.currentEpoch, 9n);
    assert.equal(st.lastVoteEpoch, 4n);
    assert.equal(st.slots[150]?.id, B);
    assert.equal(st.importingFrom[300]?.id, B);
    assert.equal(st.migratingTo[5]?.id, B);
    assert.equal(st.openSlots, 2);
    assert.equal(st.lookup(C)?.primary?.id, B);
    assert.deepEqual(st.lookup(B)?.replicas.map((r) => r.id), [C]);
    const out = configText(st);
    assert.deepEqual(out.split('\n').sort(), text.split('\n').sort());
  });

  test('a 7.0 file (no aux fields, no bus port) is read; replicas take their primary\'s shard id', () => {
    const text = `${A} :7000@17000 myself,master - 0 0 0 connected\n${B} 10.0.0.2:7001 master,fail? - 123 456 5 disconnected 0-16383\n${C} 10.0.0.3:7002@17002 slave ${B} 0 0 5 connected\n`;
    const st = parseNodesConf(text, 1000);
    const b = st.lookup(B)!;
    assert.equal(b.cport, 17001);
    assert.equal(b.pingSent, 1000);
    assert.ok((b.flags & NODE_PFAIL) !== 0);
    assert.equal(st.lookup(C)!.shardId, b.shardId);
    assert.equal(st.currentEpoch, 5n, 'raised to the greatest config epoch');
    assert.match(nodeLine(st, b, false), new RegExp(`^${B} 10.0.0.2:7001@17001 master,fail\\? - 1000 1000 5 disconnected 0-16383$`));
  });

  test('bad files throw NodesConfError', () => {
    const good = `${A} 127.0.0.1:7000@17000 myself,master - 0 0 0 connected 1-2\n`;
    const bad: Array<[string, RegExp]> = [
      ['garbage\n', /fields/],
      [good.replace('myself,', ''), /myself/],
      [good + good, /two nodes are flagged myself/],
      [good.replace('1-2', '2-1'), /slot range/],
      [good.replace('1-2', '1-16384'), /slot range/],
      [good.replace('1-2', '[1->-xyz]'), /open slot/],
      [good.replace('master', 'master,bogus'), /Unknown flag/],
      [good.replace(':7000@17000', ':70000@17000'), /port/],
      [good.replace(' 0 connected', ' x connected'), /config epoch/],
      [good.slice(0, -1), /newline/],
      [good + 'vars currentEpoch x\n', /currentEpoch/],
      [good + `${B} 127.0.0.1:7001@17001 master - 0 0 0 connected 1\n`, /claimed by two nodes/],
      ['', /myself/],
    ];
    for (const [text, why] of bad) {
      assert.throws(() => parseNodesConf(text, 0), (e: unknown) => e instanceof NodesConfError && why.test(e.detail) && e.message === 'Unrecoverable error: corrupted cluster config file.', JSON.stringify(text));
    }
  });

  test('unknown vars are skipped with a warning', () => {
    const notes = { warnings: [] as string[] };
    parseNodesConf(`${A} :0@0 myself,master - 0 0 0 connected\nvars currentEpoch 1 foo 3\n`, 0, notes);
    assert.deepEqual(notes.warnings, ["Skipping unknown cluster config variable 'foo'"]);
  });
});
