// The persistence commands' handlers: SAVE BGSAVE BGREWRITEAOF DUMP RESTORE (their
// specs are in src/commands/persistence-commands.ts).
//
// DUMP serializes a value with the RDB value encoding, followed by the 2-byte RDB
// version and the CRC-64 of everything before it. Cinnabar writes version 10 (the
// version Redis 7.0 accepts; 7.2 writes 11 and uses the set listpack type 20, which
// version 10 never contains), and accepts payloads up to version 11 as 7.2 does.
//
// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], in Redis's order
// of checks: options (syntax, IDLETIME/FREQ ranges), BUSYKEY, the TTL, the payload
// footer ("DUMP payload version or checksum are wrong"), the value ("Bad data
// format", empty aggregates included). A TTL already in the past deletes the key
// (with REPLACE; propagated as DEL, or UNLINK under lazyfree-lazy-server-del) and
// creates nothing. A relative TTL is propagated as an absolute one: the argv gets
// the absolute ms in place of the TTL and ABSTTL appended, as Redis does.
//
// SAVE writes dir/dbfilename synchronously (persistence/persistence.ts).

import type { CommandTable } from '../commands/table.js';
import { intInRangeOrReply } from '../commands/lookup.js';
import { CLIENT_NO_TOUCH, type Client } from '../server/client.js';
import { RObj } from '../types/object.js';
import { NOTIFY_GENERIC } from '../keyspace/notify.js';
import { createDumpPayload, loadDumpPayload, verifyDumpPayload } from './rdb.js';
import { bgsaveCommand, rdbSaveToFile, rdbStateOf, writeOptions } from './persistence.js';
import { bgrewriteaofCommand } from './aof.js';

const ERR_SYNTAX = 'ERR syntax error';

function saveCommand(c: Client): void {
  if (rdbStateOf(c.server).bgsaveInProgress) {
    c.addError('ERR Background save already in progress');
    return;
  }
  try {
    rdbSaveToFile(c.server);
  } catch {
    c.addError('ERR');
    return;
  }
  c.addOk();
}

function dumpCommand(c: Client, argv: string[]): void {
  const o = c.db.lookupRead(argv[1], (c.flags & CLIENT_NO_TOUCH) !== 0);
  if (o === undefined) {
    c.addNull();
    return;
  }
  let payload: Buffer;
  try {
    payload = createDumpPayload(o, writeOptions(c.server));
  } catch (e) {
    c.addError(`ERR ${(e as Error).message}`);
    return;
  }
  c.addBulk(payload.toString('latin1'));
}

const LRU_CLOCK_MAX = (1 << 24) - 1;

function restoreCommand(c: Client, argv: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  const argc = argv.length;
  for (let j = 4; j < argc; j++) {
    const opt = argv[j].toLowerCase();
    const more = argc - j - 1;
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'absttl') {
      absttl = true;
    } else if (opt === 'idletime' && more >= 1 && freq === -1) {
      const v = intInRangeOrReply(c, argv[j + 1], 0, Infinity, 'ERR Invalid IDLETIME value, must be >= 0');
      if (v === null) return;
      idle = v;
      j++;
    } else if (opt === 'freq' && more >= 1 && idle === -1) {
      const v = intInRangeOrReply(c, argv[j + 1], 0, 255, 'ERR Invalid FREQ value, must be >= 0 and <= 255');
      if (v === null) return;
      freq = v;
      j++;
    } else {
      c.addError(ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  if (!replace && c.db.lookupWrite(key) !== undefined) {
    c.addError('BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = intInRangeOrReply(c, argv[2], 0, Infinity, 'ERR Invalid TTL value, must be >= 0');
  if (ttl === null) return;
  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload)) {
    c.addError('ERR DUMP payload version or checksum are wrong');
    return;
  }
  const s = c.server;
  let obj: RObj | null;
  try {
    obj = loadDumpPayload(payload, s.config);
  } catch (e) {
    s.log.verbose(`RESTORE of '${key.slice(0, 128)}' refused: ${(e as Error).message}`);
    obj = null;
  }
  if (obj === null) {
    c.addError('ERR Bad data format');
    return;
  }
  const deleted = replace ? c.db.delete(key) : false;
  const now = s.ks.now;
  if (ttl !== 0 && !absttl) ttl += now;
  if (ttl !== 0 && ttl <= now && s.role !== 'replica') {
    // Already expired: nothing is created; a replaced key is gone.
    if (deleted) {
      c.rewriteArgv([s.config.getBool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
      c.modified(key, NOTIFY_GENERIC, 'del');
    }
    c.addOk();
    return;
  }
  const ks = s.ks;
  obj.lru = ks.initialLru();
  if (ks.lfu) {
    if (freq >= 0) obj.lru = ((Math.floor(now / 60000) & 65535) << 8) | freq;
  } else if (idle >= 0) {
    const clock = ks.lruClock();
    const idleSec = idle > LRU_CLOCK_MAX ? LRU_CLOCK_MAX : idle;
    obj.lru = clock >= idleSec ? clock - idleSec : LRU_CLOCK_MAX - (idleSec - clock);
  }
  c.db.set(key, obj);
  if (ttl !== 0) {
    c.db.setExpire(key, ttl);
    if (!absttl) {
      const prop = argv.slice();
      prop[2] = String(ttl);
      prop.push('ABSTTL');
      c.rewriteArgv(prop);
    }
  }
  c.modified(key, NOTIFY_GENERIC, 'restore');
  c.addOk();
}


/** Binds the handlers of these commands (specs in src/commands/) on a server's table. */
export function bindPersistenceCommands(table: CommandTable): void {
  table.provideAll({
    save: saveCommand,
    bgsave: bgsaveCommand,
    dump: dumpCommand,
    restore: restoreCommand,
    bgrewriteaof: bgrewriteaofCommand,
  });
}
