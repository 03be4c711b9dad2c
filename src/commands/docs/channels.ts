// Channel arguments of the pub/sub commands (for ACL channel rules): which
// arguments are channel names or patterns, and what the command does with them.
// Cinnabar's own field (Redis keeps the same facts in code); applied by ./index.ts.

import type { CommandDataFile } from './types.js';

export const CHANNELS: CommandDataFile = {
  publish: { channels: { first: 1, last: 1, step: 1, pattern: false, shard: false, action: 'publish' } },
  subscribe: { channels: { first: 1, last: -1, step: 1, pattern: false, shard: false, action: 'subscribe' } },
  unsubscribe: { channels: { first: 1, last: -1, step: 1, pattern: false, shard: false, action: 'unsubscribe' } },
  psubscribe: { channels: { first: 1, last: -1, step: 1, pattern: true, shard: false, action: 'subscribe' } },
  punsubscribe: { channels: { first: 1, last: -1, step: 1, pattern: true, shard: false, action: 'unsubscribe' } },
  spublish: { channels: { first: 1, last: 1, step: 1, pattern: false, shard: true, action: 'publish' } },
  ssubscribe: { channels: { first: 1, last: -1, step: 1, pattern: false, shard: true, action: 'subscribe' } },
  sunsubscribe: { channels: { first: 1, last: -1, step: 1, pattern: false, shard: true, action: 'unsubscribe' } },
  'pubsub|channels': { channels: { first: 2, last: 2, step: 1, pattern: true, shard: false, action: 'inspect' } },
  'pubsub|shardchannels': { channels: { first: 2, last: 2, step: 1, pattern: true, shard: true, action: 'inspect' } },
  'pubsub|numsub': { channels: { first: 2, last: -1, step: 1, pattern: false, shard: false, action: 'inspect' } },
  'pubsub|shardnumsub': { channels: { first: 2, last: -1, step: 1, pattern: false, shard: true, action: 'inspect' } },
};
