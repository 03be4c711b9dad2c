/**
 * Seeded random command sequences checked on a DiffPair.
 *
 *   const rng = new Rng(seedFromEnv('strings random'));
 *   await checkRandomSequences(pair, rng, gens, { rounds: 4, length: 300, finish: keys.flatMap(inspect) });
 */
import type { CheckItem, CheckOptions, DiffPair } from './diff.js';
import type { Rng } from './random.js';

/** Runs `fn`; when it throws, prints how to replay the run (CINNABAR_SEED) before rethrowing. */
export async function replayOnFailure<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    console.log(`# replay with CINNABAR_SEED=${seed}`);
    throw e;
  }
}

export interface RandomSequenceOptions {
  /** How many sequences (default 1); each starts from an empty keyspace (`pair.reset()`). */
  rounds?: number;
  /** Commands per sequence. */
  length: number;
  /** Checked after each sequence (typically the final state of every key). */
  finish?: readonly CheckItem[];
  /** Options for `pair.check`. */
  check?: CheckOptions;
}

/**
 * Checks `rounds` sequences of `length` commands, each drawn by calling a
 * generator picked at random from `gens`, followed by `finish`. On a mismatch
 * it prints the seed of `rng` to replay with.
 */
export async function checkRandomSequences(
  pair: DiffPair,
  rng: Rng,
  gens: ReadonlyArray<() => CheckItem>,
  opts: RandomSequenceOptions,
): Promise<void> {
  const rounds = opts.rounds ?? 1;
  for (let round = 0; round < rounds; round++) {
    await pair.reset();
    const cmds: CheckItem[] = [];
    for (let i = 0; i < opts.length; i++) cmds.push(rng.pick(gens)());
    cmds.push(...(opts.finish ?? []));
    await replayOnFailure(rng.seed, () => pair.check(cmds, opts.check));
  }
}
