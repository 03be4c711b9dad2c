#!/usr/bin/env node
// cinnabar-sentinel sentinel.conf [--directive value ...]: the server in sentinel mode,
// the same as `cinnabar-server sentinel.conf --sentinel`.
import { main } from '../dist/src/cli/cinnabar-server.js';

main([...process.argv.slice(2), '--sentinel']).catch((e) => {
  process.stderr.write(`Fatal: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
