// The shapes of the command data (src/commands/docs/*.ts): Redis 7 key specs and
// the argument schema of COMMAND DOCS, as plain objects mirroring the fields of
// Redis's COMMAND INFO / COMMAND DOCS replies. Types only: nothing here imports
// the server.

/** Key-spec flags, spelled as COMMAND INFO reports them. */
export type KeySpecFlag =
  | 'RO'
  | 'RW'
  | 'OW'
  | 'RM'
  | 'access'
  | 'update'
  | 'insert'
  | 'delete'
  | 'not_key'
  | 'incomplete'
  | 'variable_flags';

/** Where the search for a key spec's keys starts. */
export type BeginSearch =
  /** At a fixed argument index. */
  | { type: 'index'; spec: { index: number } }
  /** After the first `keyword` found searching from `startfrom` (negative: from the end, backwards). */
  | { type: 'keyword'; spec: { keyword: string; startfrom: number } }
  | { type: 'unknown'; spec: Record<string, never> };

/** How the keys are found from the begin-search position. */
export type FindKeys =
  /**
   * `lastkey` relative to the first key (negative: from the end of argv), every
   * `keystep`; with `limit` > 0 and lastkey -1, only 1/limit of the remaining arguments.
   */
  | { type: 'range'; spec: { lastkey: number; keystep: number; limit: number } }
  /** A count at first+keynumidx, keys from first+firstkey, every keystep. */
  | { type: 'keynum'; spec: { keynumidx: number; firstkey: number; keystep: number } }
  | { type: 'unknown'; spec: Record<string, never> };

export interface KeySpec {
  notes?: string;
  flags: KeySpecFlag[];
  begin_search: BeginSearch;
  find_keys: FindKeys;
}

export type ArgType = 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';

export type ArgFlag = 'optional' | 'multiple' | 'multiple_token';

/** One argument of COMMAND DOCS (fields in the order Redis writes them). */
export interface CommandArg {
  name: string;
  type: ArgType;
  /** Redis 7.2: the text shown for the argument in the syntax line. */
  display_text?: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecated_since?: string;
  flags?: ArgFlag[];
  value?: string;
  /** The members of a oneof or block. */
  arguments?: CommandArg[];
}

export type DocFlag = 'deprecated' | 'syscmd';

/** What a channel argument is, for pub/sub commands (ACL channel rules). */
export type ChannelAction = 'publish' | 'subscribe' | 'unsubscribe' | 'inspect';

/**
 * Positions of channel (or pattern) arguments: argv[first..last] every `step`
 * (last negative: counted from the end).
 */
export interface ChannelSpec {
  first: number;
  last: number;
  step: number;
  /** The arguments are glob patterns (PSUBSCRIBE, PUBSUB CHANNELS), not channel names. */
  pattern: boolean;
  /** Shard channels (SPUBLISH, SSUBSCRIBE...). */
  shard: boolean;
  action: ChannelAction;
}

/** Everything the table carries for one command beyond its CommandSpec. */
export interface CommandData {
  /** Command tips of COMMAND INFO / DOCS ('nondeterministic_output', 'request_policy:all_shards'...). */
  tips?: string[];
  key_specs?: KeySpec[];
  /** The version that introduced the command (COMMAND DOCS `since`). */
  since?: string;
  /** COMMAND DOCS `complexity` (a spec's own `complexity` takes precedence). */
  complexity?: string;
  arguments?: CommandArg[];
  /** [version, what changed], oldest first. */
  history?: Array<[string, string]>;
  doc_flags?: DocFlag[];
  deprecated_since?: string;
  replaced_by?: string;
  channels?: ChannelSpec;
}

/** One data file: full command name ("get", "client|kill") -> its data. */
export type CommandDataFile = Readonly<Record<string, CommandData>>;
