// The client flags (Redis's CLIENT_* bits), shared by commands/ (through context.ts)
// and server/ (through server/client.ts).

export const CLIENT_MULTI = 1 << 0;
export const CLIENT_DIRTY_CAS = 1 << 1; // a watched key was touched
export const CLIENT_DIRTY_EXEC = 1 << 2; // a command failed to queue
export const CLIENT_BLOCKED = 1 << 3;
export const CLIENT_MONITOR = 1 << 4;
export const CLIENT_CLOSE_AFTER_REPLY = 1 << 5;
export const CLIENT_CLOSE_ASAP = 1 << 6;
export const CLIENT_REPLY_OFF = 1 << 7;
export const CLIENT_REPLY_SKIP_NEXT = 1 << 8;
export const CLIENT_REPLY_SKIP = 1 << 9;
export const CLIENT_NO_EVICT = 1 << 10;
export const CLIENT_NO_TOUCH = 1 << 11;
export const CLIENT_REPLICA = 1 << 12;
export const CLIENT_MASTER = 1 << 13;
export const CLIENT_READONLY = 1 << 14; // cluster READONLY
export const CLIENT_ASKING = 1 << 15;
export const CLIENT_PUSHING = 1 << 16; // writing a push message: REPLY OFF does not apply
export const CLIENT_EXECUTING_EXEC = 1 << 17;
export const CLIENT_PROTECTED = 1 << 18;
export const CLIENT_FAKE = 1 << 19; // no connection (AOF loading, scripts)
export const CLIENT_PAUSED_WAIT = 1 << 20;
export const CLIENT_TRACKING = 1 << 21;
// CLIENT TRACKING modes (server/tracking.ts).
export const CLIENT_TRACKING_BCAST = 1 << 22;
export const CLIENT_TRACKING_OPTIN = 1 << 23;
export const CLIENT_TRACKING_OPTOUT = 1 << 24;
export const CLIENT_TRACKING_CACHING = 1 << 25; // CLIENT CACHING yes|no for the next command
export const CLIENT_TRACKING_NOLOOP = 1 << 26;
export const CLIENT_TRACKING_BROKEN_REDIR = 1 << 27;
