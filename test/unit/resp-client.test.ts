import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';

import {
  RespClient,
  RespProtocolError,
  RespReplyParser,
  ReplyError,
  encodeCommand,
  formatReply,
  toPlain,
  type Reply,
} from '../../src/protocol/resp-client.js';
import { rngFromEnv } from '../helpers/random.js';
import { skipIfNoRedis, startRedis, type ServerHandle } from '../helpers/servers.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const bulk = (v: string | null): Reply => ({ t: 'bulk', v });
const int = (v: number | bigint): Reply => ({ t: 'int', v: BigInt(v) });
const simple = (v: string): Reply => ({ t: 'simple', v });
const arr = (...v: Reply[]): Reply => ({ t: 'array', v });

/** Wire bytes and the reply they encode, one per RESP type and edge case. */
const CASES: Array<[string, string, Reply]> = [
  ['simple', '+OK\r\n', simple('OK')],
  ['simple empty', '+\r\n', simple('')],
  ['error', '-ERR unknown command\r\n', { t: 'err', v: 'ERR unknown command' }],
  ['integer', ':42\r\n', int(42)],
  ['negative integer', ':-7\r\n', int(-7)],
  ['big integer', ':9223372036854775807\r\n', int(9223372036854775807n)],
  ['min integer', ':-9223372036854775808\r\n', int(-9223372036854775808n)],
  ['bulk', '$5\r\nhello\r\n', bulk('hello')],
  ['empty bulk', '$0\r\n\r\n', bulk('')],
  ['bulk with CRLF inside', '$4\r\n\r\n\r\n\r\n', bulk('\r\n\r\n')],
  ['binary bulk', '$4\r\n\x00\xff\x80\x7f\r\n', bulk('\x00\xff\x80\x7f')],
  ['null bulk', '$-1\r\n', bulk(null)],
  ['array', '*2\r\n$1\r\na\r\n:1\r\n', arr(bulk('a'), int(1))],
  ['empty array', '*0\r\n', arr()],
  ['null array', '*-1\r\n', { t: 'array', v: null }],
  ['null', '_\r\n', { t: 'null' }],
  ['bool true', '#t\r\n', { t: 'bool', v: true }],
  ['bool false', '#f\r\n', { t: 'bool', v: false }],
  ['double', ',1.1000000000000001\r\n', { t: 'double', v: '1.1000000000000001' }],
  ['double inf', ',-inf\r\n', { t: 'double', v: '-inf' }],
  ['big number', '(3492890328409238509324850943850943825024385\r\n', { t: 'bignum', v: '3492890328409238509324850943850943825024385' }],
  ['bulk error', '!21\r\nSYNTAX invalid syntax\r\n', { t: 'err', v: 'SYNTAX invalid syntax' }],
  ['verbatim', '=15\r\ntxt:Some string\r\n', { t: 'verbatim', format: 'txt', v: 'Some string' }],
  ['verbatim empty body', '=4\r\nmkd:\r\n', { t: 'verbatim', format: 'mkd', v: '' }],
  [
    'map',
    '%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n',
    {
      t: 'map',
      v: [
        [simple('first'), int(1)],
        [bulk('second'), { t: 'bool', v: false }],
      ],
    },
  ],
  ['empty map', '%0\r\n', { t: 'map', v: [] }],
  ['set', '~3\r\n+a\r\n:2\r\n$1\r\nc\r\n', { t: 'set', v: [simple('a'), int(2), bulk('c')] }],
  ['empty set', '~0\r\n', { t: 'set', v: [] }],
  [
    'push',
    '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhey\r\n',
    { t: 'push', v: [bulk('message'), bulk('ch'), bulk('hey')] },
  ],
  ['attribute skipped', '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2\r\n:3\r\n', arr(int(2), int(3))],
  ['attribute inside aggregate', '*2\r\n:1\r\n|1\r\n+ttl\r\n:100\r\n:2\r\n', arr(int(1), int(2))],
  [
    'nested',
    '*3\r\n*2\r\n%1\r\n+k\r\n~1\r\n_\r\n*-1\r\n$-1\r\n>1\r\n*0\r\n',
    arr(
      arr({ t: 'map', v: [[simple('k'), { t: 'set', v: [{ t: 'null' }] }]] }, { t: 'array', v: null }),
      bulk(null),
      { t: 'push', v: [arr()] },
    ),
  ],
];

const STREAM = B(CASES.map((c) => c[1]).join(''));
const EXPECTED = CASES.map((c) => c[2]);

function feedAll(chunks: Buffer[], parser = new RespReplyParser()): Reply[] {
  const out: Reply[] = [];
  for (const c of chunks) out.push(...parser.feed(c));
  assert.ok(parser.idle, 'parser should be idle after complete input');
  return out;
}

describe('RespReplyParser', () => {
  for (const [name, wire, expected] of CASES) {
    test(`parses ${name}`, () => {
      assert.deepEqual(feedAll([B(wire)]), [expected]);
    });
  }

  test('parses every type split at every byte boundary (each frame)', () => {
    for (const [name, wire, expected] of CASES) {
      const buf = B(wire);
      for (let cut = 0; cut <= buf.length; cut++) {
        const got = feedAll([buf.subarray(0, cut), buf.subarray(cut)]);
        assert.deepEqual(got, [expected], `${name} split at ${cut}`);
      }
    }
  });

  test('parses the whole stream split at every byte boundary', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      assert.deepEqual(feedAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]), EXPECTED, `split at ${cut}`);
    }
  });

  test('parses the whole stream split at every pair of boundaries', () => {
    for (let i = 0; i <= STREAM.length; i += 3) {
      for (let j = i; j <= STREAM.length; j++) {
        const got = feedAll([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]);
        assert.equal(got.length, EXPECTED.length, `split at ${i},${j}`);
      }
    }
  });

  test('parses the stream fed one byte at a time', () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < STREAM.length; i++) chunks.push(STREAM.subarray(i, i + 1));
    assert.deepEqual(feedAll(chunks), EXPECTED);
  });

  test('parses the stream in random chunks (seeded)', () => {
    const rng = rngFromEnv('resp-parser-chunks');
    for (let iter = 0; iter < 300; iter++) {
      const chunks: Buffer[] = [];
      let pos = 0;
      while (pos < STREAM.length) {
        const n = rng.range(1, 40);
        chunks.push(STREAM.subarray(pos, pos + n));
        pos += n;
      }
      assert.deepEqual(feedAll(chunks), EXPECTED, `iteration ${iter}`);
    }
  });

  test('returns replies as soon as each completes', () => {
    const p = new RespReplyParser();
    assert.deepEqual(p.feed(B('+OK\r\n:1')), [simple('OK')]);
    assert.equal(p.idle, false);
    assert.deepEqual(p.feed(B('\r\n*2\r\n:1\r\n')), [int(1)]);
    assert.deepEqual(p.feed(B(':2\r\n')), [arr(int(1), int(2))]);
    assert.equal(p.idle, true);
  });

  test('large bulk split into many chunks', () => {
    const size = 1 << 20;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31) & 0xff;
    const wire = Buffer.concat([B(`*2\r\n$${size}\r\n`), body, B('\r\n+after\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
    const p = new RespReplyParser();
    const t0 = Date.now();
    const got = feedAll(chunks, p);
    assert.ok(Date.now() - t0 < 2000, 'large bulk parsing should be linear');
    assert.equal(got.length, 1);
    const r = got[0]!;
    assert.ok(r.t === 'array' && r.v !== null && r.v.length === 2);
    const b0 = r.v[0]!;
    assert.ok(b0.t === 'bulk' && b0.v !== null);
    assert.equal(b0.v.length, size);
    assert.ok(Buffer.from(b0.v, 'latin1').equals(body));
    assert.deepEqual(r.v[1], simple('after'));
  });

  test('long simple string fed byte by byte', () => {
    const s = 'x'.repeat(5000);
    const wire = B(`+${s}\r\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i++) chunks.push(wire.subarray(i, i + 1));
    assert.deepEqual(feedAll(chunks), [simple(s)]);
  });

  test('deeply nested arrays (no recursion limit)', () => {
    const depth = 20000;
    const wire = B('*1\r\n'.repeat(depth) + ':7\r\n');
    const got = feedAll([wire]);
    let r: Reply = got[0]!;
    for (let d = 0; d < depth; d++) {
      assert.ok(r.t === 'array' && r.v !== null && r.v.length === 1);
      r = r.v[0]!;
    }
    assert.deepEqual(r, int(7));
  });

  test('many small replies in one chunk', () => {
    const n = 10000;
    const got = feedAll([B(':1\r\n'.repeat(n))]);
    assert.equal(got.length, n);
  });

  test('attributes are reported through onAttribute', () => {
    const seen: Array<Array<[Reply, Reply]>> = [];
    const p = new RespReplyParser({ onAttribute: (pairs) => seen.push(pairs) });
    const got = p.feed(B('|1\r\n+a\r\n:1\r\n+x\r\n|0\r\n:5\r\n'));
    assert.deepEqual(got, [simple('x'), int(5)]);
    assert.deepEqual(seen, [[[simple('a'), int(1)]], []]);
  });

  const BAD: Array<[string, string]> = [
    ['unknown type byte', '?oops\r\n'],
    ['CR without LF', '+OK\rX\n'],
    ['bad bulk length', '$abc\r\n'],
    ['negative bulk length', '$-2\r\n'],
    ['bulk not terminated by CRLF', '$3\r\nabcXY'],
    ['bad integer', ':12a\r\n'],
    ['empty integer', ':\r\n'],
    ['bad boolean', '#x\r\n'],
    ['null with payload', '_x\r\n'],
    ['null map', '%-1\r\n'],
    ['verbatim without format', '=3\r\nabc\r\n'],
    ['empty length', '*\r\n'],
  ];
  for (const [name, wire] of BAD) {
    test(`rejects ${name}`, () => {
      const p = new RespReplyParser();
      assert.throws(() => p.feed(B(wire)), RespProtocolError);
    });
  }

  test('reset() discards partial state', () => {
    const p = new RespReplyParser();
    p.feed(B('*2\r\n:1\r\n$10\r\nabc'));
    assert.equal(p.idle, false);
    p.reset();
    assert.equal(p.idle, true);
    assert.deepEqual(p.feed(B('+OK\r\n')), [simple('OK')]);
  });
});

describe('encodeCommand', () => {
  test('encodes a multibulk request', () => {
    assert.equal(encodeCommand(['SET', 'key', 'value']).toString('latin1'), '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n');
  });

  test('is binary safe for latin1 strings and Buffers', () => {
    const s = '\x00\r\n\xff';
    const enc = encodeCommand(['SET', s, Buffer.from([1, 2, 3])]);
    assert.ok(enc.equals(Buffer.concat([B('*3\r\n$3\r\nSET\r\n$4\r\n'), B(s), B('\r\n$3\r\n'), Buffer.from([1, 2, 3]), B('\r\n')])));
  });

  test('encodes numbers and bigints', () => {
    assert.equal(
      encodeCommand(['INCRBY', 'k', 10, 2n ** 63n - 1n, 1.5, Infinity, -Infinity]).toString('latin1'),
      '*7\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$2\r\n10\r\n$19\r\n9223372036854775807\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n',
    );
  });

  test('encodes empty strings and zero args', () => {
    assert.equal(encodeCommand(['']).toString('latin1'), '*1\r\n$0\r\n\r\n');
    assert.equal(encodeCommand([]).toString('latin1'), '*0\r\n');
  });

  test('length headers count bytes for long arguments', () => {
    const big = 'a'.repeat(123456);
    const enc = encodeCommand(['SET', 'k', big]);
    assert.equal(enc.length, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$123456\r\n'.length + big.length + 2);
  });

  test('rejects characters outside latin1', () => {
    assert.throws(() => encodeCommand(['SET', 'k', '\u20ac']), TypeError);
  });
});

describe('toPlain / formatReply', () => {
  test('converts every type', () => {
    assert.equal(toPlain(simple('OK')), 'OK');
    assert.equal(toPlain(bulk(null)), null);
    assert.equal(toPlain(int(5)), 5);
    assert.equal(toPlain(int(2n ** 62n)), 2n ** 62n);
    const e = toPlain({ t: 'err', v: 'WRONGTYPE Operation against a key' });
    assert.ok(e instanceof ReplyError);
    assert.equal(e.code, 'WRONGTYPE');
    assert.equal(e.message, 'WRONGTYPE Operation against a key');
    assert.deepEqual(toPlain(arr(bulk('a'), int(1), { t: 'array', v: null })), ['a', 1, null]);
    assert.deepEqual(toPlain({ t: 'map', v: [[bulk('a'), int(1)], [int(2), bulk('b')]] }), { a: 1, '2': 'b' });
    assert.deepEqual(toPlain({ t: 'set', v: [bulk('x')] }), ['x']);
    assert.deepEqual(toPlain({ t: 'push', v: [bulk('x')] }), ['x']);
    assert.equal(toPlain({ t: 'double', v: '1.5' }), 1.5);
    assert.equal(toPlain({ t: 'double', v: 'inf' }), Infinity);
    assert.equal(toPlain({ t: 'double', v: '-inf' }), -Infinity);
    assert.ok(Number.isNaN(toPlain({ t: 'double', v: 'nan' })));
    assert.equal(toPlain({ t: 'bool', v: true }), true);
    assert.equal(toPlain({ t: 'null' }), null);
    assert.equal(toPlain({ t: 'bignum', v: '123456789012345678901234567890' }), 123456789012345678901234567890n);
    assert.equal(toPlain({ t: 'verbatim', format: 'txt', v: 'hi' }), 'hi');
  });

  test('formatReply distinguishes simple from bulk', () => {
    assert.notEqual(formatReply(simple('OK')), formatReply(bulk('OK')));
    assert.equal(formatReply(arr(int(1), bulk(null))), '[(int) 1, (nil bulk)]');
  });
});

// ---------------------------------------------------------------------------
// RespClient against a scripted fake server (deterministic framing)
// ---------------------------------------------------------------------------

interface FakeServer {
  port: number;
  /** Resolves with the next accepted socket. */
  nextSocket(): Promise<net.Socket>;
  close(): Promise<void>;
}

async function fakeServer(): Promise<FakeServer> {
  const sockets: net.Socket[] = [];
  const waiters: Array<(s: net.Socket) => void> = [];
  const all = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    all.add(s);
    s.on('error', () => undefined);
    const w = waiters.shift();
    if (w) w(s);
    else sockets.push(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  assert.ok(addr !== null && typeof addr !== 'string');
  return {
    port: addr.port,
    nextSocket: () => {
      const s = sockets.shift();
      return s ? Promise.resolve(s) : new Promise<net.Socket>((r) => waiters.push(r));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of all) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** Read from `s` until `n` complete RESP requests (multibulk) were received. */
function readRequests(s: net.Socket, n: number): Promise<string[][]> {
  return new Promise<string[][]>((resolve) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const reqs = parseRequests(buf);
      if (reqs !== null && reqs.length >= n) {
        s.off('data', onData);
        resolve(reqs);
      }
    };
    s.on('data', onData);
  });
}

function parseRequests(buf: string): string[][] | null {
  // Use the reply parser: a multibulk request is also a valid RESP array.
  const p = new RespReplyParser();
  const out: string[][] = [];
  for (const r of p.feed(B(buf))) {
    assert.ok(r.t === 'array' && r.v !== null);
    out.push(r.v.map((x) => (x.t === 'bulk' && x.v !== null ? x.v : '?')));
  }
  return out;
}

describe('RespClient (fake server)', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await fakeServer();
  });
  after(async () => {
    await srv.close();
  });

  test('pipelined calls resolve in order from replies split at every byte', async () => {
    const c = await RespClient.connect({ port: srv.port, timeoutMs: 2000 });
    const s = await srv.nextSocket();
    const calls = [c.call('PING'), c.call('GET', 'k'), c.call('LRANGE', 'l', 0, -1), c.call('BAD')];
    const reqs = await readRequests(s, 4);
    assert.deepEqual(reqs, [['PING'], ['GET', 'k'], ['LRANGE', 'l', '0', '-1'], ['BAD']]);
    const wire = B('+PONG\r\n$3\r\nval\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n-ERR bad\r\n');
    for (let i = 0; i < wire.length; i++) s.write(wire.subarray(i, i + 1));
    const got = await Promise.all(calls);
    assert.deepEqual(got, [simple('PONG'), bulk('val'), arr(bulk('a'), bulk('b')), { t: 'err', v: 'ERR bad' }]);
    await c.close();
  });

  test('push frames go to the push event, not to pending calls', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    const pushes: Reply[] = [];
    c.on('push', (r) => pushes.push(r));
    const p = c.call('GET', 'x');
    await readRequests(s, 1);
    s.write('>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nx\r\n$2\r\nhi\r\n');
    assert.deepEqual(await p, bulk('hi'));
    assert.equal(pushes.length, 1);
    assert.deepEqual(await c.nextPush(100), pushes[0]);
    await c.close();
  });

  test('RESP3 subscribe confirmations resolve the SUBSCRIBE call', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    const sub = c.callN(2, 'SUBSCRIBE', 'a', 'b');
    const ping = c.call('PING');
    await readRequests(s, 2);
    s.write('>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n');
    s.write('>3\r\n$7\r\nmessage\r\n$1\r\na\r\n$3\r\nmsg\r\n+PONG\r\n');
    const confirmations = await sub;
    assert.equal(confirmations.length, 2);
    assert.deepEqual(await ping, simple('PONG'));
    const m = await c.nextPush(1000);
    assert.deepEqual(toPlain(m), ['message', 'a', 'msg']);
    await c.close();
  });

  test('RESP2 pub/sub messages while subscribed are pushes', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    const sub = c.call('SUBSCRIBE', 'a');
    await readRequests(s, 1);
    s.write('*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n');
    assert.deepEqual(toPlain(await sub), ['subscribe', 'a', 1]);
    const ping = c.call('PING');
    s.write('*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nz\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    assert.deepEqual(toPlain(await ping), ['pong', '']);
    assert.deepEqual(toPlain(await c.nextPush(1000)), ['message', 'a', 'z']);
    await c.close();
  });

  test('sendRaw writes bytes verbatim and can collect replies', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    const received = new Promise<string>((r) => s.once('data', (d: Buffer) => r(d.toString('latin1'))));
    const replies = c.sendRaw('*1\r\n$abc\r\n', 1);
    assert.equal(await received, '*1\r\n$abc\r\n');
    s.write('-ERR Protocol error: invalid bulk length\r\n');
    assert.deepEqual(await replies, [{ t: 'err', v: 'ERR Protocol error: invalid bulk length' }]);
    await c.close();
  });

  test('server close rejects pending calls and emits close once', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    let closes = 0;
    c.on('close', () => closes++);
    const p = c.call('GET', 'k');
    await readRequests(s, 1);
    s.destroy();
    await assert.rejects(p, /connection closed/);
    await c.waitClosed();
    assert.equal(closes, 1);
    assert.equal(c.closed, true);
    await assert.rejects(c.call('PING'), /connection closed/);
  });

  test('protocol error from the server destroys the connection', async () => {
    const c = await RespClient.connect({ port: srv.port });
    const s = await srv.nextSocket();
    const closeErr = new Promise<Error | undefined>((r) => c.once('close', r));
    const p = c.call('PING');
    await readRequests(s, 1);
    s.write('?garbage\r\n');
    await assert.rejects(p, /unknown reply type/);
    const e = await closeErr;
    assert.ok(e instanceof RespProtocolError);
  });

  test('command timeout destroys the connection', async () => {
    const c = await RespClient.connect({ port: srv.port, commandTimeoutMs: 50 });
    await srv.nextSocket();
    await assert.rejects(c.call('BLPOP', 'x', 0), /timed out/);
    assert.equal(c.closed, true);
  });

  test('connect to a closed port rejects', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const addr = probe.address();
    assert.ok(addr !== null && typeof addr !== 'string');
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(RespClient.connect({ port: addr.port, timeoutMs: 2000 }), /ECONNREFUSED/);
  });
});

// ---------------------------------------------------------------------------
// RespClient against the real redis-server
// ---------------------------------------------------------------------------

describe('RespClient (redis-server)', { skip: skipIfNoRedis() }, () => {
  let redis: ServerHandle;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  test('binary-safe round trip and 1000 pipelined calls', async () => {
    const c = await redis.client();
    const value = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    assert.deepEqual(await c.call('SET', 'bin', value), simple('OK'));
    assert.deepEqual(await c.call('GET', 'bin'), bulk(value));
    const calls: Array<Promise<Reply>> = [];
    for (let i = 0; i < 1000; i++) calls.push(c.call('INCR', 'ctr'));
    const got = await Promise.all(calls);
    got.forEach((r, i) => assert.deepEqual(r, int(i + 1)));
    const pl = await c.pipeline([['SET', 'a', '1'], ['GET', 'a'], ['TYPE', 'a']]);
    assert.deepEqual(pl, [simple('OK'), bulk('1'), simple('string')]);
    await c.close();
  });

  test('RESP3: HELLO 3, typed replies, pub/sub pushes', async () => {
    const c = await redis.client();
    const hello = await c.call('HELLO', '3');
    assert.equal(hello.t, 'map');
    const plain = toPlain(hello);
    assert.ok(typeof plain === 'object' && plain !== null && !Array.isArray(plain) && !(plain instanceof Error));
    assert.equal(plain['proto'], 3);
    await c.call('ZADD', 'z', '1.5', 'm');
    assert.deepEqual(await c.call('ZSCORE', 'z', 'm'), { t: 'double', v: '1.5' });
    await c.call('SADD', 's', 'x');
    assert.deepEqual(await c.call('SMEMBERS', 's'), { t: 'set', v: [bulk('x')] });
    assert.deepEqual(await c.call('GET', 'missing'), { t: 'null' });

    const pub = await redis.client();
    const conf = await c.callN(2, 'SUBSCRIBE', 'c1', 'c2');
    assert.deepEqual(toPlain(conf[1]!), ['subscribe', 'c2', 2]);
    assert.deepEqual(await c.call('PING'), simple('PONG'));
    assert.deepEqual(await pub.call('PUBLISH', 'c2', 'hello'), int(1));
    const msg = await c.nextPush(2000);
    assert.deepEqual(msg, { t: 'push', v: [bulk('message'), bulk('c2'), bulk('hello')] });
    await pub.close();
    await c.close();
  });

  test('RESP2 pub/sub messages arrive as pushes', async () => {
    const c = await redis.client();
    const pub = await redis.client();
    assert.deepEqual(toPlain(await c.call('SUBSCRIBE', 'r2')), ['subscribe', 'r2', 1]);
    await pub.call('PUBLISH', 'r2', 'm1');
    assert.deepEqual(toPlain(await c.nextPush(2000)), ['message', 'r2', 'm1']);
    assert.deepEqual(toPlain(await c.call('UNSUBSCRIBE', 'r2')), ['unsubscribe', 'r2', 0]);
    assert.deepEqual(await c.call('ECHO', 'back'), bulk('back'));
    await pub.close();
    await c.close();
  });

  test('broken frame via sendRaw gets a protocol error and the server closes', async () => {
    const c = await redis.client();
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const replies = await c.sendRaw('*1\r\n$abc\r\n', 1);
    assert.equal(replies.length, 1);
    const r = replies[0]!;
    assert.ok(r.t === 'err' && r.v.startsWith('ERR Protocol error'), formatReply(r));
    await closed;
    assert.equal(c.closed, true);
  });
});
