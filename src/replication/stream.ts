// The replication stream being produced: propagated commands encoded as RESP
// multibulks straight into one reused buffer, taken once per event-loop turn and
// handed to the backlog and the replicas. No string is built per command.

import { CommandBuffer } from '../protocol/command-buffer.js';

/** The buffer shrinks back to this size after a turn that needed more. */
const STREAM_KEEP_BYTES = 1024 * 1024;
const STREAM_INITIAL_BYTES = 16 * 1024;

/** Encoded `*2 $6 SELECT $<n> <db>` per database, built on first use. */
const selectCache: Buffer[] = [];

export function encodeSelect(db: number): Buffer {
  let b = selectCache[db];
  if (b === undefined) {
    const d = String(db);
    b = Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${d.length}\r\n${d}\r\n`, 'latin1');
    if (db < 1024) selectCache[db] = b;
  }
  return b;
}

/** RESP bytes of one command (binary strings, latin1). */
export function encodeArgv(argv: readonly string[]): Buffer {
  const w = new CommandBuffer(256);
  w.appendCommand(argv);
  return w.take();
}

/** The buffer the stream is produced into (taken once per event-loop turn). */
export function newStreamBuffer(): CommandBuffer {
  return new CommandBuffer(STREAM_INITIAL_BYTES, STREAM_KEEP_BYTES);
}
