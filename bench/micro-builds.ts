/**
 * What the in-process microbenchmarks (command-micro.ts, scripting-micro.ts) share:
 * this build's server modules, and with --baseline DIST another build's compiled
 * tree (inside this checkout, so that its node_modules resolve), run in turns in
 * the same process so that machine noise falls on both.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as compose from '../src/compose/compose.js';
import * as clientMod from '../src/server/client.js';
import * as configMod from '../src/config/config.js';

export interface Build {
  name: string;
  compose: typeof compose;
  client: typeof clientMod;
  config: typeof configMod;
}

/** The value after `name` on the command line. */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** This build, and the build at `baseline` (DIST/src/compose/compose.js, server/client.js, config/config.js) when given. */
export async function loadBuilds(baseline: string | undefined): Promise<Build[]> {
  const builds: Build[] = [{ name: 'this', compose, client: clientMod, config: configMod }];
  if (baseline) {
    const load = (p: string): Promise<unknown> => import(pathToFileURL(path.resolve(baseline, p)).href);
    builds.push({
      name: 'baseline',
      compose: (await load('src/compose/compose.js')) as typeof compose,
      client: (await load('src/server/client.js')) as typeof clientMod,
      config: (await load('src/config/config.js')) as typeof configMod,
    });
  }
  return builds;
}
