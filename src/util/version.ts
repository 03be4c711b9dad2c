// The version Cinnabar reports as redis_version (the Redis release whose behaviour it
// follows) and its own version.

export const VERSION = '7.2.4';
export const CINNABAR_VERSION = '0.1.0';
