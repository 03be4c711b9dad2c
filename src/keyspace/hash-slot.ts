// Cluster hash slots: which of the 16384 slots a key belongs to.
//
// From the Redis Cluster specification: HASH_SLOT = CRC16(key) mod 16384, where
// CRC16 is the CCITT polynomial 0x1021 in its XMODEM form (initial value 0, bits
// not reflected, no final xor; check value 0x31C3 for "123456789"). Hash tags: if
// the key holds a '{' and, somewhere after the first '{', a '}', and at least one
// byte lies between the first '{' and the first '}' after it, only those bytes are
// hashed; otherwise the whole key is. So "{user1000}.following" hashes "user1000",
// "foo{}{bar}" hashes the whole key (nothing between the first pair), and
// "foo{{bar}}zap" hashes "{bar".
//
// Keys are binary strings in latin1 form (one char per byte), as everywhere in the
// keyspace. CRC16 is computed byte-wise with a 256-entry table built once at load.

/** Number of cluster hash slots. */
export const CLUSTER_SLOTS = 16384;

const POLY = 0x1021;

/** CRC16_TABLE[b]: the CRC register after shifting byte b through an empty register. */
const CRC16_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let r = b << 8;
    for (let k = 0; k < 8; k++) r = r & 0x8000 ? ((r << 1) ^ POLY) & 0xffff : (r << 1) & 0xffff;
    t[b] = r;
  }
  return t;
})();

/** CRC16 of key's chars [from, to), each taken as one byte. */
function crc16Range(key: string, from: number, to: number): number {
  const t = CRC16_TABLE;
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ t[((crc >>> 8) ^ key.charCodeAt(i)) & 0xff];
  return crc;
}

/** CRC16-CCITT (XMODEM) of a binary (latin1) string, as the cluster spec uses it. */
export function crc16(key: string): number {
  return crc16Range(key, 0, key.length);
}

/** The cluster hash slot of a key (0..16383), hash tags applied. */
export function keyHashSlot(key: string): number {
  const n = key.length;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16Range(key, open + 1, close) & (CLUSTER_SLOTS - 1);
  }
  return crc16Range(key, 0, n) & (CLUSTER_SLOTS - 1);
}
