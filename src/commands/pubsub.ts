// Pub/Sub commands: SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB,
// and the sharded SSUBSCRIBE SUNSUBSCRIBE SPUBLISH.

import { cmd, type CommandSpec } from './table.js';
import type { Client } from './context.js';
import { PubSub, writeSubscription } from './pubsub-registry.js';
import { globMatch } from '../util/glob.js';
import { addHelp } from './client-command.js';

const PS = ['pubsub'];

type Kind = 'channels' | 'patterns' | 'shardChannels';
const REG: Record<Kind, 'channels' | 'patterns' | 'shardChannels'> = { channels: 'channels', patterns: 'patterns', shardChannels: 'shardChannels' };
const NAMES: Record<Kind, [string, string]> = {
  channels: ['subscribe', 'unsubscribe'],
  patterns: ['psubscribe', 'punsubscribe'],
  shardChannels: ['ssubscribe', 'sunsubscribe'],
};

/** Subscription count reported in confirmations: shard channels are counted apart. */
function countFor(c: Client, kind: Kind): number {
  return kind === 'shardChannels' ? c.shardChannels.size : c.channels.size + c.patterns.size;
}

function subscribeGeneric(kind: Kind) {
  return (c: Client, argv: string[]): void => {
    const reg = c.server.pubsub[REG[kind]];
    const mine = c[kind];
    for (let i = 1; i < argv.length; i++) {
      if (PubSub.add(reg, argv[i], c)) mine.add(argv[i]);
      writeSubscription(c, NAMES[kind][0], argv[i], countFor(c, kind));
    }
  };
}

function unsubscribeGeneric(kind: Kind) {
  return (c: Client, argv: string[]): void => {
    const reg = c.server.pubsub[REG[kind]];
    const mine = c[kind];
    const names = argv.length > 1 ? argv.slice(1) : [...mine];
    if (names.length === 0) {
      writeSubscription(c, NAMES[kind][1], null, countFor(c, kind));
      return;
    }
    for (const n of names) {
      PubSub.remove(reg, n, c);
      mine.delete(n);
      writeSubscription(c, NAMES[kind][1], n, countFor(c, kind));
    }
  };
}

function publish(c: Client, argv: string[]): void {
  const n = c.server.pubsub.publish(argv[1], argv[2]);
  c.server.stats.pubsubMessages++;
  c.server.propagatePublish(argv);
  c.addInt(n);
}

function spublish(c: Client, argv: string[]): void {
  const n = c.server.pubsub.publishShard(argv[1], argv[2]);
  c.server.propagatePublish(argv);
  c.addInt(n);
}

function channelsMatching(reg: Map<string, Set<Client>>, pattern: string | undefined): string[] {
  const out: string[] = [];
  for (const ch of reg.keys()) if (pattern === undefined || globMatch(pattern, ch)) out.push(ch);
  return out;
}

const pubsubSub: CommandSpec[] = [
  cmd('channels', -2, ['pubsub', 'loading', 'stale'], [0, 0, 0], 'pubsub', PS, (c, a) => c.addBulkArray(channelsMatching(c.server.pubsub.channels, a[2])), { since: '2.8.0' }),
  cmd('numpat', 2, ['pubsub', 'loading', 'stale'], [0, 0, 0], 'pubsub', PS, (c) => c.addInt(c.server.pubsub.patterns.size), { since: '2.8.0' }),
  cmd(
    'numsub',
    -2,
    ['pubsub', 'loading', 'stale'],
    [0, 0, 0],
    'pubsub',
    PS,
    (c, a) => {
      c.addMapLen(a.length - 2);
      for (let i = 2; i < a.length; i++) {
        c.addBulk(a[i]);
        c.addInt(c.server.pubsub.channels.get(a[i])?.size ?? 0);
      }
    },
    { since: '2.8.0' },
  ),
  cmd('shardchannels', -2, ['pubsub', 'loading', 'stale'], [0, 0, 0], 'pubsub', PS, (c, a) => c.addBulkArray(channelsMatching(c.server.pubsub.shardChannels, a[2])), { since: '7.0.0' }),
  cmd(
    'shardnumsub',
    -2,
    ['pubsub', 'loading', 'stale'],
    [0, 0, 0],
    'pubsub',
    PS,
    (c, a) => {
      c.addMapLen(a.length - 2);
      for (let i = 2; i < a.length; i++) {
        c.addBulk(a[i]);
        c.addInt(c.server.pubsub.shardChannels.get(a[i])?.size ?? 0);
      }
    },
    { since: '7.0.0' },
  ),
  cmd(
    'help',
    2,
    ['loading', 'stale'],
    [0, 0, 0],
    'pubsub',
    ['slow'],
    (c) =>
      addHelp(c, [
        'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'CHANNELS [<pattern>]',
        "    Return the currently active channels matching a <pattern> (default: '*').",
        'NUMPAT',
        '    Return number of subscriptions to patterns.',
        'NUMSUB [<channel> ...]',
        '    Return the number of subscribers for the specified channels, excluding',
        '    pattern subscriptions(default: no channels).',
        'SHARDCHANNELS [<pattern>]',
        '    Return the currently active shard level channels matching a <pattern> (default: \'*\').',
        'SHARDNUMSUB [<shardchannel> ...]',
        '    Return the number of subscribers for the specified shard level channel(s)',
        'HELP',
        '    Prints this help.',
      ]),
    { since: '6.2.0' },
  ),
];

const SUBFLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const;

export const COMMANDS: CommandSpec[] = [
  cmd('subscribe', -2, [...SUBFLAGS], [0, 0, 0], 'pubsub', PS, subscribeGeneric('channels'), { since: '2.0.0', summary: 'Listens for messages published to channels.' }),
  cmd('unsubscribe', -1, [...SUBFLAGS], [0, 0, 0], 'pubsub', PS, unsubscribeGeneric('channels'), { since: '2.0.0', summary: 'Stops listening to messages posted to channels.' }),
  cmd('psubscribe', -2, [...SUBFLAGS], [0, 0, 0], 'pubsub', PS, subscribeGeneric('patterns'), { since: '2.0.0', summary: 'Listens for messages published to channels that match one or more patterns.' }),
  cmd('punsubscribe', -1, [...SUBFLAGS], [0, 0, 0], 'pubsub', PS, unsubscribeGeneric('patterns'), { since: '2.0.0', summary: 'Stops listening to messages published to channels that match one or more patterns.' }),
  cmd('ssubscribe', -2, [...SUBFLAGS], [1, -1, 1], 'pubsub', PS, subscribeGeneric('shardChannels'), { since: '7.0.0', summary: 'Listens for messages published to shard channels.' }),
  cmd('sunsubscribe', -1, [...SUBFLAGS], [1, -1, 1], 'pubsub', PS, unsubscribeGeneric('shardChannels'), { since: '7.0.0', summary: 'Stops listening to messages posted to shard channels.' }),
  cmd('publish', 3, ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], [0, 0, 0], 'pubsub', PS, publish, { since: '2.0.0', summary: 'Posts a message to a channel.' }),
  cmd('spublish', 3, ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], [1, 1, 1], 'pubsub', PS, spublish, { since: '7.0.0', summary: 'Post a message to a shard channel' }),
  cmd('pubsub', -2, [], [0, 0, 0], 'pubsub', ['slow'], undefined, { since: '2.8.0', summary: 'A container for Pub/Sub commands.', subcommands: pubsubSub }),
];
