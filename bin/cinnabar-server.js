#!/usr/bin/env node
import '../dist/src/cli/cinnabar-server.js';
