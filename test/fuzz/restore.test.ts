// Fuzz target: RESTORE. Valid DUMPs of every type and encoding (EVERY_TYPE), mutated
// byte-wise and structurally, the checksum recomputed so the mutation reaches the
// decoder (and sometimes left wrong), are restored through the command path of an
// in-process server. Each must answer +OK or a Redis error, never an internal
// error; a key it accepted is then used by every read and write command of its type
// (a corrupt structure accepted now must not break a later command). A short run on
// a server process then checks it stays up and keeps its data. Extends
// test/unit/rdb.test.ts's decoder-level DUMP fuzz.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EVERY_TYPE, fixCrc64, fuzzReport, fuzzRun, harness, mutate, mutationArb, useEveryKey } from '../helpers/fuzz.js';
import { startCinnabar } from '../helpers/servers.js';

function dumpsOfEveryType(): Array<[string, Buffer]> {
  const h = harness();
  for (const argv of EVERY_TYPE) h.run(...argv);
  return [...h.s.ks.dbs[0].dict.keys()].sort().map((k) => {
    const r = h.run('DUMP', k);
    const m = /^\$(\d+)\r\n/.exec(r)!;
    return [k, Buffer.from(r.slice(m[0].length, m[0].length + Number(m[1])), 'latin1')];
  });
}

const DUMPS = dumpsOfEveryType();

/** A mutated payload: the value part edited, the 10-byte footer kept, the CRC fixed 9 times in 10. */
const payloadArb = fc
  .tuple(fc.integer({ min: 0, max: DUMPS.length - 1 }), fc.array(mutationArb(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 9 }))
  .map(([i, ms, crcRoll]) => {
    const src = DUMPS[i][1];
    const p = mutate(src, ms, 0, src.length - 10);
    return { from: DUMPS[i][0], payload: crcRoll === 0 ? p : fixCrc64(p) };
  });

const ERR_BAD = '-ERR Bad data format\r\n';
const ERR_CRC = '-ERR DUMP payload version or checksum are wrong\r\n';

test('fuzz: RESTORE of mutated DUMPs of every type: OK or a Redis error, then every command on the key works', () => {
  assert.ok(DUMPS.length >= 14, `payloads of every type: ${DUMPS.map(([k]) => k).join(' ')}`);
  const { seed, numRuns } = fuzzRun('restore', 600);
  const counts = { runs: 0, restored: 0, badData: 0, checksum: 0, otherError: 0, commandsAfter: 0 };
  // One server per sanitize-dump-payload setting, emptied before each run.
  const servers = { yes: harness({ 'sanitize-dump-payload': 'yes' }), no: harness({ 'sanitize-dump-payload': 'no' }) };
  fc.assert(
    fc.property(payloadArb, fc.boolean(), ({ payload }, sanitize) => {
      counts.runs++;
      const h = sanitize ? servers.yes : servers.no;
      h.run('FLUSHALL');
      const r = h.run('RESTORE', 'k', '0', payload.toString('latin1'));
      assert.match(r, /^(\+OK|-)/, r);
      if (r === '+OK\r\n') counts.restored++;
      else if (r === ERR_BAD) counts.badData++;
      else if (r === ERR_CRC) counts.checksum++;
      else counts.otherError++;
      const replies = useEveryKey(h);
      counts.commandsAfter += replies.length;
      for (const x of replies) assert.doesNotMatch(x, /internal error/i);
      assert.deepEqual(h.log.crashes(), []);
    }),
    { seed, numRuns },
  );
  fuzzReport('restore', counts);
  assert.ok(counts.restored > 0 && counts.badData > 0 && counts.checksum > 0, 'both outcomes reached');
});

test('fuzz: a server process answers mutated RESTOREs and keeps its data', async () => {
  const { seed, numRuns } = fuzzRun('restore-process', 150);
  const payloads = fc.sample(payloadArb, { seed, numRuns });
  const srv = await startCinnabar();
  try {
    const c = await srv.client();
    await c.call('SET', 'canary', 'alive');
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < payloads.length; i++) {
      const r = await c.call('RESTORE', `p${i}`, '0', payloads[i].payload.toString('latin1'));
      if (r.t === 'simple') ok++;
      else {
        assert.equal(r.t, 'err');
        assert.doesNotMatch(String(r.v), /internal error/i);
        refused++;
      }
    }
    assert.deepEqual(await c.call('GET', 'canary'), { t: 'bulk', v: 'alive' });
    assert.equal(srv.exited, false);
    assert.doesNotMatch(srv.output(), /internal error|TypeError|RangeError/i);
    fuzzReport('restore-process', { payloads: payloads.length, restored: ok, refused });
  } finally {
    await srv.stop();
  }
});
