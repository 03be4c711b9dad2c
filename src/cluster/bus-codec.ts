// The Redis Cluster bus wire format (Redis 7.0 and 7.2 `cluster.h`), encoded and
// decoded without I/O.
//
// Every message is one frame: the fixed header `clusterMsg` (2256 bytes, the
// offset of its `data` union, CLUSTERMSG_MIN_LEN) followed by a body whose shape
// depends on the type. All integers are big-endian (network byte order). Header
// layout, byte offsets as cluster.h's static asserts pin them:
//
//     0 sig "RCmb"          4 totlen u32          8 ver u16 (= 1)     10 port u16
//    12 type u16           14 count u16          16 currentEpoch u64
//    24 configEpoch u64    32 offset u64         40 sender[40]
//    80 myslots[2048]    2128 slaveof[40]      2168 myip[46]
//  2214 extensions u16   2216 notused1[30]     2246 pport u16        2248 cport u16
//  2250 flags u16        2252 state u8         2253 mflags[3]        2256 data
//
// Bodies:
//  - PING / PONG / MEET: `count` gossip entries (clusterMsgDataGossip, 104 bytes:
//    nodename[40], ping_sent u32, pong_received u32, ip[46], port, cport, flags,
//    pport, notused1, all u16), then, when mflags[0] has CLUSTERMSG_FLAG0_EXT_DATA,
//    `extensions` ping extensions (clusterMsgPingExt: length u32 counting its own
//    8-byte header, type u16, unused u16, data padded to a multiple of 8).
//  - FAIL: nodename[40].
//  - PUBLISH / PUBLISHSHARD: channel_len u32, message_len u32, channel, message
//    (the body is 8 + both lengths: the struct's 8 placeholder bytes do not count).
//  - UPDATE: configEpoch u64, nodename[40], slots[2048].
//  - MODULE: module_id u64, len u32, type u8, payload (13 + len bytes).
//  - FAILOVER_AUTH_REQUEST / FAILOVER_AUTH_ACK / MFSTART: nothing.
//
// Ping extension types: 7.2 knows hostname (0), human nodename (1), forgotten
// node (2: name[40] + ttl u64 in seconds) and shard id (3: shard_id[40]). 7.0
// knows only hostname: it logs "Received unknown extension type %d" for any other
// type (on every ping) and skips it, so `encodeBusMessage(m, '7.0')` sends only
// the hostname extension. Strings in the hostname and human-nodename extensions
// end with a NUL inside their padded data. The encoder sets EXT_DATA in mflags[0]
// when it sends extensions, as 7.0 and 7.2 do; later Redis (PR #13729) sets it on
// every header to say "I parse extensions" and sends its own only to nodes that
// do: a node wanting them sets MFLAG_EXT_DATA in header.mflags itself.
//
// Decoding validates everything a frame declares against what it holds: the
// signature, the version, a known type, totlen equal to the frame's length and to
// the length the type, count, extensions and publish/module lengths imply, every
// extension's length (at least its header, a multiple of 8, inside the frame,
// long enough for its type's fixed data), node names (40 characters of [0-9a-z],
// what Redis's verifyClusterNodeId accepts), NUL-terminated IP strings. Anything
// else throws BusProtocolError whose message says what was wrong.
//
// What real Redis 7.0 does with a bad frame, for reference (the node decides what
// we do): a wrong signature or a totlen under 2256 in the first 8 bytes closes
// the link ("Bad message length or signature received from Cluster bus."); a
// frame whose totlen disagrees with its contents is logged ("Received invalid
// %s packet of length %lld but expected length %lld") and dropped, the link kept;
// another version is dropped silently; an unknown type is accepted and ignored.

export const MSG_PING = 0, MSG_PONG = 1, MSG_MEET = 2, MSG_FAIL = 3, MSG_PUBLISH = 4,
  MSG_FAILOVER_AUTH_REQUEST = 5, MSG_FAILOVER_AUTH_ACK = 6, MSG_UPDATE = 7, MSG_MFSTART = 8,
  MSG_MODULE = 9, MSG_PUBLISHSHARD = 10;
/** CLUSTERMSG_TYPE_COUNT: types at or above it are unknown. */
export const MSG_TYPE_COUNT = 11;

// node flags as cluster.h defines them
export const NODE_MASTER = 1, NODE_SLAVE = 2, NODE_PFAIL = 4, NODE_FAIL = 8, NODE_MYSELF = 16,
  NODE_HANDSHAKE = 32, NODE_NOADDR = 64, NODE_MEET = 128, NODE_MIGRATE_TO = 256, NODE_NOFAILOVER = 512;

/** mflags[0] bits: CLUSTERMSG_FLAG0_PAUSED, CLUSTERMSG_FLAG0_FORCEACK, CLUSTERMSG_FLAG0_EXT_DATA. */
export const MFLAG_MANUAL_FAILOVER_PAUSED = 1, MFLAG_FORCE_ACK = 2, MFLAG_EXT_DATA = 4;

/** Ping extension types (clusterMsgPingtypes, 7.2). 7.0 knows only EXT_HOSTNAME. */
export const EXT_HOSTNAME = 0, EXT_HUMAN_NODENAME = 1, EXT_FORGOTTEN_NODE = 2, EXT_SHARDID = 3;

/** CLUSTER_PROTO_VER. */
export const BUS_PROTO_VER = 1;
/** CLUSTERMSG_MIN_LEN: the header, i.e. the offset of the data union; also a whole MFSTART/AUTH frame. */
export const BUS_HEADER_BYTES = 2256;
/** sizeof(clusterMsgDataGossip). */
export const GOSSIP_ENTRY_BYTES = 104;
/** clusterMsgPingExt's own header (length, type, unused). */
export const PING_EXT_HEADER_BYTES = 8;
/** CLUSTER_NAMELEN. */
export const NODE_NAME_BYTES = 40;
/** NET_IP_STR_LEN: room for an IPv6 string and its NUL. */
export const IP_FIELD_BYTES = 46;
/** CLUSTER_SLOTS / 8. */
export const SLOT_BITMAP_BYTES = 2048;
/** Default BusFrameReader limit: a frame is one message; a bigger one is a lying length or abuse. */
export const BUS_FRAME_MAX_BYTES_DEFAULT = 64 * 1024 * 1024;

// Header offsets.
const OFF_TOTLEN = 4, OFF_VER = 8, OFF_PORT = 10, OFF_TYPE = 12, OFF_COUNT = 14;
const OFF_CURRENT_EPOCH = 16, OFF_CONFIG_EPOCH = 24, OFF_OFFSET = 32, OFF_SENDER = 40;
const OFF_MYSLOTS = 80, OFF_SLAVEOF = 2128, OFF_MYIP = 2168, OFF_EXTENSIONS = 2214;
const OFF_PPORT = 2246, OFF_CPORT = 2248, OFF_FLAGS = 2250, OFF_STATE = 2252, OFF_MFLAGS = 2253;
// Gossip entry offsets.
const G_PING_SENT = 40, G_PONG_RECEIVED = 44, G_IP = 48, G_PORT = 94, G_CPORT = 96, G_FLAGS = 98, G_PPORT = 100;
const FAIL_BODY_BYTES = NODE_NAME_BYTES;
const PUBLISH_FIXED_BYTES = 8;
const UPDATE_BODY_BYTES = 8 + NODE_NAME_BYTES + SLOT_BITMAP_BYTES;
const MODULE_FIXED_BYTES = 13;
const FORGOTTEN_DATA_BYTES = NODE_NAME_BYTES + 8;
const SIG = Buffer.from('RCmb', 'latin1');
const U64_MAX = (1n << 64n) - 1n;

export interface BusHeader {
  type: number; port: number; pport: number; cport: number;
  currentEpoch: bigint; configEpoch: bigint; offset: bigint;
  sender: string;            // 40 hex chars
  myslots: Uint8Array;       // 2048 bytes, bit per slot as Redis lays it out
  slaveof: string | null;    // null when the sender is a primary (all-zero name on the wire)
  myip: string;              // '' when the sender does not know it
  flags: number; state: number; // state: 0 ok, 1 fail
  mflags: number;            // mflags[0]
}
export interface GossipEntry {
  nodeId: string; pingSent: number; pongReceived: number; // seconds, as on the wire
  ip: string; port: number; cport: number; pport: number; flags: number;
}
export type PingExt =
  | { kind: 'hostname'; hostname: string }
  | { kind: 'humannodename'; name: string }
  | { kind: 'forgotten-node'; nodeId: string; ttl: number }
  | { kind: 'shard-id'; shardId: string }
  | { kind: 'unknown'; type: number; data: Buffer };
export type BusBody =
  | { kind: 'ping'; gossip: GossipEntry[]; exts: PingExt[] }            // PING, PONG, MEET
  | { kind: 'fail'; nodeId: string }
  | { kind: 'publish'; channel: Buffer; message: Buffer }                // PUBLISH, PUBLISHSHARD
  | { kind: 'update'; configEpoch: bigint; nodeId: string; slots: Uint8Array }
  | { kind: 'empty' }                                                    // FAILOVER_AUTH_REQUEST/ACK, MFSTART
  | { kind: 'module'; moduleId: bigint; moduleType: number; payload: Buffer };
export interface BusMessage { header: BusHeader; body: BusBody }

/** A malformed frame; the message is the reason, fit for a log line. The link it came on should be closed. */
export class BusProtocolError extends Error {
  override readonly name = 'BusProtocolError';
}

/** The body kind each message type carries. */
export function bodyKindOf(type: number): BusBody['kind'] | undefined {
  switch (type) {
    case MSG_PING: case MSG_PONG: case MSG_MEET: return 'ping';
    case MSG_FAIL: return 'fail';
    case MSG_PUBLISH: case MSG_PUBLISHSHARD: return 'publish';
    case MSG_UPDATE: return 'update';
    case MSG_FAILOVER_AUTH_REQUEST: case MSG_FAILOVER_AUTH_ACK: case MSG_MFSTART: return 'empty';
    case MSG_MODULE: return 'module';
    default: return undefined;
  }
}

/** The name Redis logs for a type (clusterGetMessageTypeString). */
export function busTypeName(type: number): string {
  const names = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart',
    'module', 'publishshard'];
  return names[type] ?? 'unknown';
}

/** A node name as Redis's verifyClusterNodeId accepts it: 40 of [0-9a-z]. */
export function isValidNodeName(s: string): boolean {
  if (s.length !== NODE_NAME_BYTES) return false;
  for (let i = 0; i < NODE_NAME_BYTES; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a))) return false;
  }
  return true;
}

/** A fresh all-clear slot bitmap. */
export function emptySlotBitmap(): Uint8Array {
  return new Uint8Array(SLOT_BITMAP_BYTES);
}

// Redis's bitmapTestBit / bitmapSetBit: slot s is bit (s & 7), LSB first, of byte s >> 3.
export function slotBitmapSet(bm: Uint8Array, slot: number, on: boolean): void {
  checkSlot(slot);
  if (on) bm[slot >> 3]! |= 1 << (slot & 7);
  else bm[slot >> 3]! &= ~(1 << (slot & 7));
}

export function slotBitmapHas(bm: Uint8Array, slot: number): boolean {
  checkSlot(slot);
  return (bm[slot >> 3]! & (1 << (slot & 7))) !== 0;
}

/** How many slots the bitmap holds. */
export function slotBitmapCount(bm: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < SLOT_BITMAP_BYTES; i++) {
    let b = bm[i]!;
    while (b) { b &= b - 1; n++; }
  }
  return n;
}

function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_BITMAP_BYTES * 8) {
    throw new RangeError(`slot out of range: ${slot}`);
  }
}

// ---------------------------------------------------------------------------
// Encoding. Bad input here is a programmer error: RangeError, not BusProtocolError.

/** Whether a 7.0 receiver parses this extension (7.0 knows only the hostname). */
function peerKnows(ext: PingExt, peer: '7.0' | '7.2'): boolean {
  return peer === '7.2' || ext.kind === 'hostname';
}

/** The padded data of one extension (without its 8-byte header) and its type. */
function extData(ext: PingExt): { type: number; data: Buffer } {
  switch (ext.kind) {
    case 'hostname': return { type: EXT_HOSTNAME, data: cString(ext.hostname, 'hostname') };
    case 'humannodename': return { type: EXT_HUMAN_NODENAME, data: cString(ext.name, 'human nodename') };
    case 'forgotten-node': {
      const b = Buffer.alloc(FORGOTTEN_DATA_BYTES);
      writeName(b, 0, ext.nodeId, 'forgotten node');
      if (!Number.isSafeInteger(ext.ttl) || ext.ttl < 0) throw new RangeError(`forgotten node ttl: ${ext.ttl}`);
      b.writeBigUInt64BE(BigInt(ext.ttl), NODE_NAME_BYTES);
      return { type: EXT_FORGOTTEN_NODE, data: b };
    }
    case 'shard-id': {
      const b = Buffer.alloc(NODE_NAME_BYTES);
      writeName(b, 0, ext.shardId, 'shard id');
      return { type: EXT_SHARDID, data: b };
    }
    case 'unknown': {
      checkU16(ext.type, 'extension type');
      if (ext.type <= EXT_SHARDID) throw new RangeError(`extension type ${ext.type} is a known type`);
      return { type: ext.type, data: Buffer.from(ext.data) };
    }
  }
}

/** A NUL-terminated string (UTF-8), zero-padded to a multiple of 8 (EIGHT_BYTE_ALIGN(len + 1)). */
function cString(s: string, what: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  if (raw.includes(0)) throw new RangeError(`${what} contains a NUL byte`);
  const b = Buffer.alloc(align8(raw.length + 1));
  raw.copy(b, 0);
  return b;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function checkU16(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} out of range: ${v}`);
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} out of range: ${v}`);
}

function checkU64(v: bigint, what: string): void {
  if (v < 0n || v > U64_MAX) throw new RangeError(`${what} out of range: ${v}`);
}

function writeName(b: Buffer, off: number, name: string, what: string): void {
  if (!isValidNodeName(name)) throw new RangeError(`${what} is not a node name: ${JSON.stringify(name)}`);
  b.write(name, off, NODE_NAME_BYTES, 'latin1');
}

function writeIp(b: Buffer, off: number, ip: string, what: string): void {
  const raw = Buffer.from(ip, 'latin1');
  if (raw.length >= IP_FIELD_BYTES || raw.includes(0) || Buffer.byteLength(ip, 'utf8') !== raw.length) {
    throw new RangeError(`${what} is not an IP string: ${JSON.stringify(ip)}`);
  }
  raw.copy(b, off);
}

/**
 * Encodes one message as a whole frame. `peer` is what the receiver understands:
 * '7.0' drops the ping extensions 7.0 does not parse (all but the hostname).
 * mflags[0] gets CLUSTERMSG_FLAG0_EXT_DATA when extensions are sent, as Redis
 * sets it; `count` and `extensions` come from the body.
 */
export function encodeBusMessage(m: BusMessage, peer: '7.0' | '7.2' = '7.2'): Buffer {
  const h = m.header;
  const kind = bodyKindOf(h.type);
  if (kind === undefined) throw new RangeError(`unknown message type ${h.type}`);
  if (kind !== m.body.kind) throw new RangeError(`type ${busTypeName(h.type)} carries a ${kind} body, not ${m.body.kind}`);
  const body = m.body;

  let bodyLen = 0;
  let exts: { type: number; data: Buffer }[] = [];
  switch (body.kind) {
    case 'ping':
      if (body.gossip.length > 0xffff) throw new RangeError(`too many gossip entries: ${body.gossip.length}`);
      exts = body.exts.filter((e) => peerKnows(e, peer)).map(extData);
      if (exts.length > 0xffff) throw new RangeError(`too many extensions: ${exts.length}`);
      for (const e of exts) if (e.data.length % 8 !== 0) throw new RangeError('unknown extension data must be a multiple of 8 bytes');
      bodyLen = body.gossip.length * GOSSIP_ENTRY_BYTES + exts.reduce((n, e) => n + PING_EXT_HEADER_BYTES + e.data.length, 0);
      break;
    case 'fail': bodyLen = FAIL_BODY_BYTES; break;
    case 'publish': bodyLen = PUBLISH_FIXED_BYTES + body.channel.length + body.message.length; break;
    case 'update': bodyLen = UPDATE_BODY_BYTES; break;
    case 'module': bodyLen = MODULE_FIXED_BYTES + body.payload.length; break;
    case 'empty': bodyLen = 0; break;
  }
  const totlen = BUS_HEADER_BYTES + bodyLen;
  checkU32(totlen, 'frame length');
  const b = Buffer.alloc(totlen);

  SIG.copy(b, 0);
  b.writeUInt32BE(totlen, OFF_TOTLEN);
  b.writeUInt16BE(BUS_PROTO_VER, OFF_VER);
  checkU16(h.port, 'port');
  b.writeUInt16BE(h.port, OFF_PORT);
  b.writeUInt16BE(h.type, OFF_TYPE);
  b.writeUInt16BE(body.kind === 'ping' ? body.gossip.length : 0, OFF_COUNT);
  checkU64(h.currentEpoch, 'currentEpoch');
  checkU64(h.configEpoch, 'configEpoch');
  checkU64(h.offset, 'offset');
  b.writeBigUInt64BE(h.currentEpoch, OFF_CURRENT_EPOCH);
  b.writeBigUInt64BE(h.configEpoch, OFF_CONFIG_EPOCH);
  b.writeBigUInt64BE(h.offset, OFF_OFFSET);
  writeName(b, OFF_SENDER, h.sender, 'sender');
  if (h.myslots.length !== SLOT_BITMAP_BYTES) throw new RangeError(`myslots must be ${SLOT_BITMAP_BYTES} bytes`);
  b.set(h.myslots, OFF_MYSLOTS);
  if (h.slaveof !== null) writeName(b, OFF_SLAVEOF, h.slaveof, 'slaveof');
  writeIp(b, OFF_MYIP, h.myip, 'myip');
  b.writeUInt16BE(exts.length, OFF_EXTENSIONS);
  checkU16(h.pport, 'pport');
  checkU16(h.cport, 'cport');
  checkU16(h.flags, 'flags');
  b.writeUInt16BE(h.pport, OFF_PPORT);
  b.writeUInt16BE(h.cport, OFF_CPORT);
  b.writeUInt16BE(h.flags, OFF_FLAGS);
  if (h.state !== 0 && h.state !== 1) throw new RangeError(`state must be 0 or 1: ${h.state}`);
  b[OFF_STATE] = h.state;
  if (!Number.isInteger(h.mflags) || h.mflags < 0 || h.mflags > 0xff) throw new RangeError(`mflags out of range: ${h.mflags}`);
  b[OFF_MFLAGS] = h.mflags | (exts.length > 0 ? MFLAG_EXT_DATA : 0);

  let off = BUS_HEADER_BYTES;
  switch (body.kind) {
    case 'ping':
      for (const g of body.gossip) {
        writeName(b, off, g.nodeId, 'gossip node name');
        checkU32(g.pingSent, 'gossip ping_sent');
        checkU32(g.pongReceived, 'gossip pong_received');
        b.writeUInt32BE(g.pingSent, off + G_PING_SENT);
        b.writeUInt32BE(g.pongReceived, off + G_PONG_RECEIVED);
        writeIp(b, off + G_IP, g.ip, 'gossip ip');
        for (const [v, o, what] of [[g.port, G_PORT, 'port'], [g.cport, G_CPORT, 'cport'], [g.flags, G_FLAGS, 'flags'],
          [g.pport, G_PPORT, 'pport']] as const) {
          checkU16(v, `gossip ${what}`);
          b.writeUInt16BE(v, off + o);
        }
        off += GOSSIP_ENTRY_BYTES;
      }
      for (const e of exts) {
        b.writeUInt32BE(PING_EXT_HEADER_BYTES + e.data.length, off);
        b.writeUInt16BE(e.type, off + 4);
        e.data.copy(b, off + PING_EXT_HEADER_BYTES);
        off += PING_EXT_HEADER_BYTES + e.data.length;
      }
      break;
    case 'fail':
      writeName(b, off, body.nodeId, 'failing node name');
      break;
    case 'publish':
      b.writeUInt32BE(body.channel.length, off);
      b.writeUInt32BE(body.message.length, off + 4);
      body.channel.copy(b, off + PUBLISH_FIXED_BYTES);
      body.message.copy(b, off + PUBLISH_FIXED_BYTES + body.channel.length);
      break;
    case 'update':
      checkU64(body.configEpoch, 'update configEpoch');
      b.writeBigUInt64BE(body.configEpoch, off);
      writeName(b, off + 8, body.nodeId, 'update node name');
      if (body.slots.length !== SLOT_BITMAP_BYTES) throw new RangeError(`update slots must be ${SLOT_BITMAP_BYTES} bytes`);
      b.set(body.slots, off + 8 + NODE_NAME_BYTES);
      break;
    case 'module':
      checkU64(body.moduleId, 'module id');
      if (!Number.isInteger(body.moduleType) || body.moduleType < 0 || body.moduleType > 0xff) {
        throw new RangeError(`module type out of range: ${body.moduleType}`);
      }
      b.writeBigUInt64BE(body.moduleId, off);
      b.writeUInt32BE(body.payload.length, off + 8);
      b[off + 12] = body.moduleType;
      body.payload.copy(b, off + MODULE_FIXED_BYTES);
      break;
    case 'empty':
      break;
  }
  return b;
}

// ---------------------------------------------------------------------------
// Decoding.

function fail(reason: string): never {
  throw new BusProtocolError(reason);
}

function readName(b: Buffer, off: number, what: string): string {
  const s = b.toString('latin1', off, off + NODE_NAME_BYTES);
  if (!isValidNodeName(s)) fail(`${what} is not a valid node name`);
  return s;
}

/** A name field that may be all zero (slaveof of a primary). */
function readOptionalName(b: Buffer, off: number, what: string): string | null {
  let zero = true;
  for (let i = off; i < off + NODE_NAME_BYTES; i++) if (b[i] !== 0) { zero = false; break; }
  return zero ? null : readName(b, off, what);
}

/** A NUL-terminated printable-ASCII IP string in a 46-byte field ('' when it starts with NUL). */
function readIp(b: Buffer, off: number, what: string): string {
  const end = b.indexOf(0, off);
  if (end < 0 || end >= off + IP_FIELD_BYTES) fail(`${what} is not NUL-terminated`);
  for (let i = off; i < end; i++) {
    const c = b[i]!;
    if (c <= 0x20 || c >= 0x7f) fail(`${what} holds a byte that no IP string holds (0x${c.toString(16)})`);
  }
  return b.toString('latin1', off, end);
}

/** The string before the first NUL of an extension's data. */
function readCString(data: Buffer, what: string): string {
  const end = data.indexOf(0);
  if (end < 0) fail(`${what} extension is not NUL-terminated`);
  return data.toString('utf8', 0, end);
}

function decodeExt(type: number, data: Buffer): PingExt {
  switch (type) {
    case EXT_HOSTNAME: return { kind: 'hostname', hostname: readCString(data, 'hostname') };
    case EXT_HUMAN_NODENAME: return { kind: 'humannodename', name: readCString(data, 'human nodename') };
    case EXT_FORGOTTEN_NODE: {
      if (data.length < FORGOTTEN_DATA_BYTES) fail(`forgotten node extension holds ${data.length} bytes, needs ${FORGOTTEN_DATA_BYTES}`);
      const ttl = data.readBigUInt64BE(NODE_NAME_BYTES);
      if (ttl > BigInt(Number.MAX_SAFE_INTEGER)) fail(`forgotten node ttl too large: ${ttl}`);
      return { kind: 'forgotten-node', nodeId: readName(data, 0, 'forgotten node'), ttl: Number(ttl) };
    }
    case EXT_SHARDID:
      if (data.length < NODE_NAME_BYTES) fail(`shard id extension holds ${data.length} bytes, needs ${NODE_NAME_BYTES}`);
      return { kind: 'shard-id', shardId: readName(data, 0, 'shard id') };
    default:
      return { kind: 'unknown', type, data: Buffer.from(data) };
  }
}

/**
 * Decodes one whole frame (signature to end). Throws BusProtocolError with the
 * reason on anything malformed. The returned buffers and bitmaps are copies: the
 * frame may be reused.
 */
export function decodeBusMessage(frame: Buffer): BusMessage {
  if (frame.length < BUS_HEADER_BYTES) fail(`frame of ${frame.length} bytes is shorter than the ${BUS_HEADER_BYTES}-byte header`);
  if (frame.compare(SIG, 0, 4, 0, 4) !== 0) fail('bad signature (not RCmb)');
  const totlen = frame.readUInt32BE(OFF_TOTLEN);
  if (totlen !== frame.length) fail(`declared length ${totlen} but the frame holds ${frame.length} bytes`);
  const ver = frame.readUInt16BE(OFF_VER);
  if (ver !== BUS_PROTO_VER) fail(`protocol version ${ver} (only ${BUS_PROTO_VER} is known)`);
  const type = frame.readUInt16BE(OFF_TYPE);
  const kind = bodyKindOf(type);
  if (kind === undefined) fail(`unknown message type ${type}`);
  const tname = busTypeName(type);
  const count = frame.readUInt16BE(OFF_COUNT);
  const extensions = frame.readUInt16BE(OFF_EXTENSIONS);
  const state = frame[OFF_STATE]!;
  if (state > 1) fail(`cluster state ${state} (0 ok or 1 fail)`);
  const mflags = frame[OFF_MFLAGS]!;

  const header: BusHeader = {
    type,
    port: frame.readUInt16BE(OFF_PORT),
    pport: frame.readUInt16BE(OFF_PPORT),
    cport: frame.readUInt16BE(OFF_CPORT),
    currentEpoch: frame.readBigUInt64BE(OFF_CURRENT_EPOCH),
    configEpoch: frame.readBigUInt64BE(OFF_CONFIG_EPOCH),
    offset: frame.readBigUInt64BE(OFF_OFFSET),
    sender: readName(frame, OFF_SENDER, 'sender'),
    myslots: new Uint8Array(frame.subarray(OFF_MYSLOTS, OFF_MYSLOTS + SLOT_BITMAP_BYTES)),
    slaveof: readOptionalName(frame, OFF_SLAVEOF, 'slaveof'),
    myip: readIp(frame, OFF_MYIP, 'myip'),
    flags: frame.readUInt16BE(OFF_FLAGS),
    state,
    mflags,
  };

  const off = BUS_HEADER_BYTES;
  const have = totlen - off;
  const expect = (n: number): void => {
    if (have !== n) fail(`${tname} of length ${totlen} but expected length ${off + n}`);
  };
  let body: BusBody;
  switch (kind) {
    case 'ping': {
      const gossipBytes = count * GOSSIP_ENTRY_BYTES;
      if (gossipBytes > have) fail(`${tname} declares ${count} gossip entries (${gossipBytes} bytes) in ${have} bytes`);
      const gossip: GossipEntry[] = [];
      for (let i = 0, g = off; i < count; i++, g += GOSSIP_ENTRY_BYTES) {
        gossip.push({
          nodeId: readName(frame, g, `gossip entry ${i} node name`),
          pingSent: frame.readUInt32BE(g + G_PING_SENT),
          pongReceived: frame.readUInt32BE(g + G_PONG_RECEIVED),
          ip: readIp(frame, g + G_IP, `gossip entry ${i} ip`),
          port: frame.readUInt16BE(g + G_PORT),
          cport: frame.readUInt16BE(g + G_CPORT),
          flags: frame.readUInt16BE(g + G_FLAGS),
          pport: frame.readUInt16BE(g + G_PPORT),
        });
      }
      // As Redis: extensions are there only when the EXT_DATA flag says so.
      const exts: PingExt[] = [];
      let e = off + gossipBytes;
      if (mflags & MFLAG_EXT_DATA) {
        for (let i = 0; i < extensions; i++) {
          if (totlen - e < PING_EXT_HEADER_BYTES) fail(`${tname} extension ${i} of ${extensions} starts past the end of the frame`);
          const extlen = frame.readUInt32BE(e);
          if (extlen < PING_EXT_HEADER_BYTES) fail(`${tname} extension ${i} declares ${extlen} bytes, less than its header`);
          if (extlen % 8 !== 0) fail(`${tname} extension ${i} without proper padding (${extlen} bytes)`);
          if (extlen > totlen - e) fail(`${tname} extension ${i} of ${extlen} bytes exceeds the frame (${totlen - e} left)`);
          exts.push(decodeExt(frame.readUInt16BE(e + 4), frame.subarray(e + PING_EXT_HEADER_BYTES, e + extlen)));
          e += extlen;
        }
      }
      if (e !== totlen) fail(`${tname} of length ${totlen} but expected length ${e}`);
      body = { kind: 'ping', gossip, exts };
      break;
    }
    case 'fail':
      expect(FAIL_BODY_BYTES);
      body = { kind: 'fail', nodeId: readName(frame, off, 'failing node name') };
      break;
    case 'publish': {
      if (have < PUBLISH_FIXED_BYTES) fail(`${tname} of length ${totlen} is too short for its lengths`);
      const chanLen = frame.readUInt32BE(off);
      const msgLen = frame.readUInt32BE(off + 4);
      expect(PUBLISH_FIXED_BYTES + chanLen + msgLen);
      const c = off + PUBLISH_FIXED_BYTES;
      body = {
        kind: 'publish',
        channel: Buffer.from(frame.subarray(c, c + chanLen)),
        message: Buffer.from(frame.subarray(c + chanLen, c + chanLen + msgLen)),
      };
      break;
    }
    case 'update':
      expect(UPDATE_BODY_BYTES);
      body = {
        kind: 'update',
        configEpoch: frame.readBigUInt64BE(off),
        nodeId: readName(frame, off + 8, 'update node name'),
        slots: new Uint8Array(frame.subarray(off + 8 + NODE_NAME_BYTES, off + UPDATE_BODY_BYTES)),
      };
      break;
    case 'module': {
      if (have < MODULE_FIXED_BYTES) fail(`${tname} of length ${totlen} is too short for its header`);
      const len = frame.readUInt32BE(off + 8);
      expect(MODULE_FIXED_BYTES + len);
      body = {
        kind: 'module',
        moduleId: frame.readBigUInt64BE(off),
        moduleType: frame[off + 12]!,
        payload: Buffer.from(frame.subarray(off + MODULE_FIXED_BYTES, totlen)),
      };
      break;
    }
    case 'empty':
      expect(0);
      body = { kind: 'empty' };
      break;
  }
  return { header, body };
}

// ---------------------------------------------------------------------------
// Framing.

const PREFIX_BYTES = 8; // sig + totlen: what Redis checks before reading the rest

/**
 * Reassembles frames from a link's byte stream. As Redis's clusterReadHandler
 * does, the first 8 bytes of a frame are checked before the rest is read: the
 * signature, and a totlen of at least the header (2256) and at most `maxFrame`.
 * A failure throws BusProtocolError and leaves the reader failed (every later
 * push throws again): the link is to be closed. Each frame is copied once into
 * a buffer of its declared size; bytes held at once are bounded by maxFrame.
 */
export class BusFrameReader {
  readonly maxFrame: number;
  private prefix = Buffer.alloc(PREFIX_BYTES);
  private prefixFill = 0;
  private frame: Buffer | null = null;
  private frameFill = 0;
  private failed: string | null = null;

  constructor(maxFrame: number = BUS_FRAME_MAX_BYTES_DEFAULT) {
    if (!Number.isInteger(maxFrame) || maxFrame < BUS_HEADER_BYTES) {
      throw new RangeError(`maxFrame must be at least ${BUS_HEADER_BYTES}: ${maxFrame}`);
    }
    this.maxFrame = maxFrame;
  }

  /** Bytes of an incomplete frame held. */
  get pendingBytes(): number {
    return this.frame ? this.frameFill : this.prefixFill;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failed !== null) throw new BusProtocolError(this.failed);
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.frame === null) {
        const n = Math.min(PREFIX_BYTES - this.prefixFill, chunk.length - i);
        chunk.copy(this.prefix, this.prefixFill, i, i + n);
        this.prefixFill += n;
        i += n;
        if (this.prefixFill < PREFIX_BYTES) break;
        if (this.prefix.compare(SIG, 0, 4, 0, 4) !== 0) this.poison('bad signature (not RCmb)');
        const totlen = this.prefix.readUInt32BE(4);
        if (totlen < BUS_HEADER_BYTES) this.poison(`declared length ${totlen} is shorter than the ${BUS_HEADER_BYTES}-byte header`);
        if (totlen > this.maxFrame) this.poison(`declared length ${totlen} exceeds the frame limit of ${this.maxFrame} bytes`);
        this.frame = Buffer.allocUnsafe(totlen);
        this.prefix.copy(this.frame, 0);
        this.frameFill = PREFIX_BYTES;
        this.prefixFill = 0;
      }
      const f = this.frame;
      const n = Math.min(f.length - this.frameFill, chunk.length - i);
      chunk.copy(f, this.frameFill, i, i + n);
      this.frameFill += n;
      i += n;
      if (this.frameFill === f.length) {
        out.push(f);
        this.frame = null;
        this.frameFill = 0;
      }
    }
    return out;
  }

  private poison(reason: string): never {
    this.failed = reason;
    this.frame = null;
    throw new BusProtocolError(reason);
  }
}
