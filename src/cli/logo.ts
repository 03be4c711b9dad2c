// The start-up banner: a cinnabar crystal with the version, the mode, the port and
// the pid beside it, printed as redis-server prints its logo (always-show-logo yes,
// or a terminal on stdout). Tools look for its ` PID: ` and `Port: ` lines.

import { CINNABAR_VERSION, VERSION } from '../util/version.js';

const CRYSTAL = [
  '              /\\              ',
  '             /  \\             ',
  '            / /\\ \\            ',
  '           / /  \\ \\           ',
  '          / / /\\ \\ \\          ',
  '         /_/_/__\\_\\_\\         ',
  '         \\ \\ \\  / / /         ',
  '          \\ \\ \\/ / /          ',
  '           \\ \\  / /           ',
  '            \\ \\/ /            ',
  '             \\  /             ',
  '              \\/              ',
];

/** The banner's lines for a server in `mode` ('standalone', 'sentinel', 'cluster') on `port`. */
export function logoLines(mode: string, port: number, pid: number): string[] {
  const beside: Record<number, string> = {
    1: `Cinnabar ${CINNABAR_VERSION} (Redis ${VERSION} compatible) 64 bit`,
    3: `Running in ${mode} mode`,
    4: `Port: ${port}`,
    5: `PID: ${pid}`,
  };
  return CRYSTAL.map((l, i) => (beside[i] ? `${l}     ${beside[i]}` : l).trimEnd());
}
