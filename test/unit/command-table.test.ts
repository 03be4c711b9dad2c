// The command table on its own: every command has its data (key specs, argument
// schema), the legacy triple declared in cmd() agrees with the one derived from
// the key specs, keys and channels come out of the specs, ACL categories come
// from one function, and the table does not import the server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_COMMANDS } from '../../src/commands/index.js';
import {
  CommandTable,
  commandCategories,
  getChannelPositions,
  getKeyPositions,
  getKeysAndFlags,
  keyInfoOf,
  type CommandSpec,
} from '../../src/commands/table.js';
import { commandDataNames } from '../../src/commands/docs/index.js';
import { keysFromSpecs, legacyRange } from '../../src/commands/key-specs.js';
import type { KeySpec } from '../../src/commands/docs/types.js';

const table = new CommandTable();
table.register(ALL_COMMANDS);

/** The table's own copies (register copies every spec and attaches its data to the copy). */
function all(): CommandSpec[] {
  return table.all().flatMap((s) => [s, ...(s.subcommands ?? [])]);
}

function spec(name: string): CommandSpec {
  const [a, b] = name.split('|');
  const top = table.lookup(a!)!;
  return b === undefined ? top : top.subcommands!.find((s) => s.name === b)!;
}

test('every command and subcommand has command data, and the data names only commands of the table', () => {
  const names = new Set(all().map((s) => s.fullName));
  for (const s of all()) assert.ok(s.data !== undefined, `${s.fullName} has no data`);
  for (const n of commandDataNames()) assert.ok(names.has(n), `data for ${n}, not in the table`);
});

test('the legacy triple given to cmd() is the one the key specs give', () => {
  for (const s of all()) {
    const l = keyInfoOf(s).legacy;
    assert.deepEqual([l.firstKey, l.lastKey, l.step], [s.firstKey, s.lastKey, s.step], s.fullName);
  }
});

test('key_spec_index of every key argument names an existing key spec', () => {
  type Arg = { type: string; key_spec_index?: number; arguments?: Arg[] };
  const walk = (args: Arg[] | undefined, n: number, name: string): void => {
    for (const a of args ?? []) {
      if (a.type === 'key') assert.ok(a.key_spec_index !== undefined && a.key_spec_index < n, `${name}: ${JSON.stringify(a)}`);
      walk(a.arguments, n, name);
    }
  };
  for (const s of all()) walk(s.data?.arguments, s.data?.key_specs?.length ?? 0, s.fullName!);
});

test('movablekeys as Redis derives it', () => {
  const movable = all()
    .filter((s) => keyInfoOf(s).legacy.movable)
    .map((s) => s.fullName)
    .sort();
  assert.deepEqual(movable, ['blmpop', 'bzmpop', 'eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro', 'georadius', 'georadiusbymember', 'lmpop', 'migrate', 'sintercard', 'sort', 'sort_ro', 'xread', 'xreadgroup', 'zdiff', 'zdiffstore', 'zinter', 'zintercard', 'zinterstore', 'zmpop', 'zunion', 'zunionstore']);
});

test('key positions and flags from the key specs', () => {
  const keys = (argv: string[]) => getKeyPositions(table.lookup(argv[0]!)!, argv);
  assert.deepEqual(keys(['GET', 'k']), [1]);
  assert.deepEqual(keys(['MSET', 'a', '1', 'b', '2']), [1, 3]);
  assert.deepEqual(keys(['BLPOP', 'a', 'b', '0']), [1, 2]);
  assert.deepEqual(keys(['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2']), [1, 3, 4]);
  assert.deepEqual(keys(['ZUNIONSTORE', 'd', '1x', 'a']), [3, 1]); // Redis's atoi fallback: keys, then the destination
  assert.deepEqual(keys(['ZUNIONSTORE', 'd', '0', 'a']), []);
  assert.deepEqual(keys(['BLMPOP', '0', '2', 'a', 'b', 'LEFT']), [3, 4]);
  assert.deepEqual(keys(['SORT', 's', 'BY', 'x', 'STORE', 'd1', 'STORE', 'd2']), [1, 7]);
  assert.deepEqual(keys(['SPUBLISH', 'ch', 'm']), []); // not_key
  // MIGRATE: the key, or what follows KEYS (skipping AUTH/AUTH2 operands); KEYS with a key argument has none.
  assert.deepEqual(keys(['MIGRATE', 'h', '1', 'k', '0', '10', 'COPY']), [3]);
  assert.deepEqual(keys(['MIGRATE', 'h', '1', '', '0', '10', 'AUTH2', 'keys', 'p', 'KEYS', 'a', 'b']), [10, 11]);
  assert.deepEqual(keys(['MIGRATE', 'h', '1', 'k', '0', '10', 'KEYS', 'a']), []);
  const flags = (argv: string[]) => getKeysAndFlags(table.lookup(argv[0]!)!, argv).map((k) => [k.pos, [...k.flags]]);
  assert.deepEqual(flags(['SET', 'k', 'v']), [[1, ['OW', 'update']]]);
  assert.deepEqual(flags(['SET', 'k', 'v', 'GET']), [[1, ['RW', 'access', 'update']]]);
  assert.deepEqual(flags(['BITFIELD', 'k', 'GET', 'u8', '0']), [[1, ['RO', 'access']]]);
  assert.deepEqual(flags(['RENAME', 'a', 'b']), [
    [1, ['RW', 'access', 'delete']],
    [2, ['OW', 'update']],
  ]);
  assert.deepEqual(getKeyPositions(spec('object|encoding'), ['OBJECT', 'ENCODING', 'k']), [2]);
});

test('keyword begin_search, range limit and the legacy triple of mixed specs', () => {
  const xread: KeySpec[] = [
    { flags: ['RO', 'access'], begin_search: { type: 'keyword', spec: { keyword: 'STREAMS', startfrom: 1 } }, find_keys: { type: 'range', spec: { lastkey: -1, keystep: 1, limit: 2 } } },
  ];
  assert.deepEqual(keysFromSpecs(xread, ['XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0'])!.map((k) => k.pos), [4, 5]);
  assert.deepEqual(keysFromSpecs(xread, ['XREAD', 'COUNT', '1']), []);
  const back: KeySpec[] = [
    { flags: ['RW'], begin_search: { type: 'keyword', spec: { keyword: 'KEYS', startfrom: -2 } }, find_keys: { type: 'range', spec: { lastkey: -1, keystep: 1, limit: 0 } } },
  ];
  assert.deepEqual(keysFromSpecs(back, ['M', 'x', 'KEYS', 'a', 'b'])!.map((k) => k.pos), [3, 4]);
  assert.deepEqual(legacyRange(xread), { firstKey: 0, lastKey: 0, step: 0, movable: true });
  assert.deepEqual(legacyRange([]), { firstKey: 0, lastKey: 0, step: 0, movable: false });
});

test('channel positions of the pub/sub commands', () => {
  const ch = (name: string, argv: string[]) => getChannelPositions(spec(name), argv).map((c) => [c.pos, c.pattern, c.shard, c.action]);
  assert.deepEqual(ch('subscribe', ['SUBSCRIBE', 'a', 'b']), [
    [1, false, false, 'subscribe'],
    [2, false, false, 'subscribe'],
  ]);
  assert.deepEqual(ch('psubscribe', ['PSUBSCRIBE', 'n*']), [[1, true, false, 'subscribe']]);
  assert.deepEqual(ch('punsubscribe', ['PUNSUBSCRIBE']), []);
  assert.deepEqual(ch('publish', ['PUBLISH', 'c', 'msg']), [[1, false, false, 'publish']]);
  assert.deepEqual(ch('spublish', ['SPUBLISH', 'c', 'msg']), [[1, false, true, 'publish']]);
  assert.deepEqual(ch('sunsubscribe', ['SUNSUBSCRIBE', 'a']), [[1, false, true, 'unsubscribe']]);
  assert.deepEqual(ch('pubsub|numsub', ['PUBSUB', 'NUMSUB', 'a', 'b']), [
    [2, false, false, 'inspect'],
    [3, false, false, 'inspect'],
  ]);
  assert.deepEqual(ch('pubsub|channels', ['PUBSUB', 'CHANNELS']), []);
  assert.deepEqual(ch('pubsub|shardchannels', ['PUBSUB', 'SHARDCHANNELS', 'x*']), [[2, true, true, 'inspect']]);
  assert.deepEqual(ch('get', ['GET', 'k']), []);
});

test('ACL categories: explicit plus derived from the flags, in Redis order', () => {
  assert.deepEqual(commandCategories(spec('get')), ['read', 'string', 'fast']);
  assert.deepEqual(commandCategories(spec('blpop')), ['write', 'list', 'slow', 'blocking']);
  assert.deepEqual(commandCategories(spec('config|set')), ['admin', 'slow', 'dangerous']);
  assert.deepEqual(commandCategories(spec('publish')), ['pubsub', 'fast']);
  assert.deepEqual(commandCategories(spec('config')), ['slow']);
});
