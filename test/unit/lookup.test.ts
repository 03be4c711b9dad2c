// commands/lookup.ts: the lookups with the type check answer a missing key with
// exactly the bytes of the Client reply they stand for, in both protocols, and
// WRONGTYPE for a key of another type.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/config.js';
import { Logger } from '../../src/server/log.js';
import { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { ObjType, RObj, WRONGTYPE } from '../../src/types/object.js';
import { RHashValue } from '../../src/types/hash.js';
import { addEmptyScanReply } from '../../src/commands/scan-util.js';
import {
  MISS_EMPTY_ARRAY,
  MISS_EMPTY_MAP,
  MISS_EMPTY_SCAN,
  MISS_EMPTY_SET,
  MISS_NULL,
  MISS_OK,
  MISS_ZERO,
  lookupRead,
  lookupReadOrReply,
  lookupWrite,
  lookupWriteOrReply,
} from '../../src/commands/lookup.js';

function newClient(): Client {
  const config = new Config();
  config.set('save', ['']);
  const log = new Logger();
  log.level = 'warning';
  const server = new Server(config, log);
  return new Client(server, null, server.ks.dbs[0], 1);
}

const MISSES: Array<[number, (c: Client) => void]> = [
  [MISS_NULL, (c) => c.addNull()],
  [MISS_ZERO, (c) => c.addInt(0)],
  [MISS_EMPTY_ARRAY, (c) => c.addEmptyArray()],
  [MISS_EMPTY_SET, (c) => c.addSetLen(0)],
  [MISS_EMPTY_SCAN, (c) => addEmptyScanReply(c)],
  [MISS_OK, (c) => c.addOk()],
  [MISS_EMPTY_MAP, (c) => c.addMapLen(0)],
];

describe('lookup helpers', () => {
  const c = newClient();
  // A real (empty) hash value: the keyspace charges every key its size-model cost.
  c.db.add('h', new RObj(ObjType.Hash, RHashValue.fromMap(new Map<string, string>()), 0));

  for (const resp of [2, 3] as const) {
    test(`missing keys get the reply they stand for (RESP${resp})`, () => {
      c.resp = resp;
      for (const [miss, reply] of MISSES) {
        c.out = '';
        reply(c);
        const want = c.out;
        for (const lookup of [lookupReadOrReply, lookupWriteOrReply]) {
          c.out = '';
          assert.equal(lookup(c, 'nokey', ObjType.Set, miss), null);
          assert.equal(c.out, want, `miss ${miss}`);
        }
      }
    });
  }

  test('wrong type: WRONGTYPE and null; right type: the object; missing: undefined', () => {
    c.resp = 2;
    for (const lookup of [lookupRead, lookupWrite]) {
      c.out = '';
      assert.equal(lookup(c, 'h', ObjType.Set), null);
      assert.equal(c.out, '-' + WRONGTYPE + '\r\n');
      c.out = '';
      assert.equal(lookup(c, 'h', ObjType.Hash)?.type, ObjType.Hash);
      assert.equal(lookup(c, 'nokey', ObjType.Hash), undefined);
      assert.equal(c.out, '');
    }
    for (const lookup of [lookupReadOrReply, lookupWriteOrReply]) {
      c.out = '';
      assert.equal(lookup(c, 'h', ObjType.ZSet, MISS_ZERO), null);
      assert.equal(c.out, '-' + WRONGTYPE + '\r\n');
      c.out = '';
      assert.equal(lookup(c, 'h', ObjType.Hash, MISS_ZERO)?.type, ObjType.Hash);
      assert.equal(c.out, '');
    }
  });
});
