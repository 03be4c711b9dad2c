// Cluster hash slots (src/keyspace/hash-slot.ts): the CRC16 check value, the hash
// tag rules of the cluster specification, and a differential test against a
// cluster-enabled redis-server's CLUSTER KEYSLOT over random binary keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_SLOTS, crc16, keyHashSlot } from '../../src/keyspace/hash-slot.js';
import { formatReply } from '../../src/protocol/resp-client.js';
import { freePort, skipIfNoRedis, startRedis, type ServerHandle } from '../helpers/servers.js';
import { rngFromEnv, type Rng } from '../helpers/random.js';

test('crc16: the XMODEM check value and simple cases', () => {
  assert.equal(crc16('123456789'), 0x31c3);
  assert.equal(crc16(''), 0);
  assert.equal(crc16('\x00'), 0);
  assert.equal(crc16('A'), 0x58e5);
  // One char is one byte: a char above 0x7f is not UTF-8 encoded.
  assert.notEqual(crc16('\xff'), crc16('\xc3\xbf'));
  assert.equal(CLUSTER_SLOTS, 16384);
});

test('keyHashSlot: the hash tag rules of the cluster specification', () => {
  const whole = (k: string): number => crc16(k) % CLUSTER_SLOTS;
  // {user1000}: only "user1000" is hashed, so these two land together.
  assert.equal(keyHashSlot('{user1000}.following'), whole('user1000'));
  assert.equal(keyHashSlot('{user1000}.followers'), keyHashSlot('{user1000}.following'));
  // Nothing between the first '{' and the first '}': the whole key.
  assert.equal(keyHashSlot('foo{}{bar}'), whole('foo{}{bar}'));
  // The first '{' and the first '}' after it: "{bar" is hashed.
  assert.equal(keyHashSlot('foo{{bar}}zap'), whole('{bar'));
  // Only the first tag counts.
  assert.equal(keyHashSlot('foo{bar}{zap}'), whole('bar'));
  // No '}' after the first '{', or none at all: the whole key.
  assert.equal(keyHashSlot('foo{bar'), whole('foo{bar'));
  assert.equal(keyHashSlot('}foo{bar'), whole('}foo{bar'));
  assert.equal(keyHashSlot('foo}bar{'), whole('foo}bar{'));
  assert.equal(keyHashSlot(''), 0);
  // A '}' before the first '{' does not close it.
  assert.equal(keyHashSlot('a}b{c}d'), whole('c'));
  // The tag may be a single byte, binary included.
  assert.equal(keyHashSlot('x{\xff}y'), whole('\xff'));
});

test('keyHashSlot: slots redis-server gives (CLUSTER KEYSLOT)', () => {
  // Values from redis-server 7.0 (the differential test below checks many more).
  assert.equal(keyHashSlot('somekey'), 11058);
  assert.equal(keyHashSlot('foo{hash_tag}'), 2515);
  assert.equal(keyHashSlot('foo'), 12182);
  assert.equal(keyHashSlot('bar'), 5061);
  assert.equal(keyHashSlot('123456789'), 0x31c3 % 16384);
});

/** A random binary key, often with braces in it so that tags are exercised. */
function randomKey(rng: Rng): string {
  const n = rng.int(24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    s += r === 0 ? '{' : r === 1 ? '}' : String.fromCharCode(rng.int(256));
  }
  return s;
}

test('keyHashSlot agrees with a cluster-enabled redis-server on random binary keys', { skip: skipIfNoRedis(), timeout: 60_000 }, async () => {
  const rng = rngFromEnv('hash-slot');
  // The cluster bus listens on a port of its own: give it a free one explicitly
  // (the default, port + 10000, may be taken or past 65535).
  const busPort = await freePort();
  let srv: ServerHandle | null = null;
  try {
    // The node config file is relative to the server's private working dir, removed on stop.
    srv = await startRedis({
      args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)],
      startTimeoutMs: 15_000,
    });
    const c = await srv.client({ commandTimeoutMs: 10_000 });
    const keys: string[] = ['', '{', '}', '{}', '{{}}', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{user1000}.following'];
    for (let i = 0; i < 400; i++) keys.push(randomKey(rng));
    const replies = await c.pipeline(keys.map((k) => ['CLUSTER', 'KEYSLOT', k]));
    for (let i = 0; i < keys.length; i++) {
      const r = replies[i];
      assert.equal(r.t, 'int', `CLUSTER KEYSLOT ${JSON.stringify(keys[i])}: ${formatReply(r)}`);
      assert.equal(keyHashSlot(keys[i]), Number(r.v), `key ${JSON.stringify(keys[i])}`);
    }
  } finally {
    await srv?.stop();
  }
});
