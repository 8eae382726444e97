/**
 * How many runs, which seed: fixed and bounded under `npm test` (so CI time stays flat), long and
 * random under `npm run chaos` (test/fault/chaos.mjs sets FAULT_CHAOS=1 and the FAULT_* below).
 *
 * - FAULT_SEED: the seed (default: fixed under npm test, random under chaos);
 * - FAULT_RUNS: runs per store;
 * - FAULT_PATH: fast-check's path of a counterexample, to replay exactly that case;
 * - FAULT_SHRINK: `0` reports the first failing case as it is (no shrinking);
 * - FAULT_SHRINK_STEPS: the most shrink attempts (worker runs bound them, each attempt costs seconds);
 * - FAULT_SEQUENCE: a JSON array of operations (a report's "As data" line) to run exactly, once.
 */
import fc from 'fast-check';

import { describeCommand, type FaultCommand } from './commands.js';

export const CHAOS = process.env.FAULT_CHAOS === '1';

/** Jest's timeout of a property: bounded under npm test, a day under chaos. */
export function propertyTimeoutMs(bounded: number): number {
  return CHAOS ? 24 * 3_600_000 : bounded;
}

export interface RunConfig {
  seed: number;
  runs: number;
  path: string | undefined;
  shrink: boolean;
  /** Most shrink attempts (each one a whole run: seconds for worker runs); undefined: no limit. */
  shrinkSteps: number | undefined;
  /** Most runs spent after shrinking on dropping single operations that are not needed. */
  dropSteps: number;
}

function intFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * The runs of one store's property. `fixedSeed` and `runs` are what `npm test` uses; `chaosRuns` the
 * default under chaos. Shrinking is on for the fast in-process runs, and for worker runs only under
 * chaos (a shrink step of a worker run costs seconds).
 */
export function runConfig(options: {
  fixedSeed: number;
  runs: number;
  chaosRuns: number;
  shrinkInTests: boolean;
  /** Default bound on shrink attempts (FAULT_SHRINK_STEPS overrides). */
  shrinkSteps?: number;
}): RunConfig {
  const seed = intFromEnv('FAULT_SEED') ?? (CHAOS ? Math.floor(Math.random() * 2 ** 31) : options.fixedSeed);
  const runs = intFromEnv('FAULT_RUNS') ?? (CHAOS ? options.chaosRuns : options.runs);
  const path = process.env.FAULT_PATH || undefined;
  const shrink =
    process.env.FAULT_SHRINK === '0' ? false : CHAOS || path !== undefined || options.shrinkInTests;
  const shrinkSteps = intFromEnv('FAULT_SHRINK_STEPS') ?? options.shrinkSteps;
  const dropSteps = shrinkSteps === undefined ? 50 : Math.min(shrinkSteps, 12);
  return { seed, runs, path, shrink, shrinkSteps, dropSteps };
}

/**
 * Runs the property and, on failure, throws one message with everything needed: the seed and path,
 * the (shrunk) sequence one operation a line, what went wrong, and the command that replays it.
 */
export async function assertFaultProperty(
  /** The chaos runner's name of the suite (memory, postgres, postgres-restart, firestore). */
  store: string,
  config: RunConfig,
  commands: fc.Arbitrary<FaultCommand[]>,
  runOne: (commands: FaultCommand[]) => Promise<void>,
): Promise<void> {
  const given = process.env.FAULT_SEQUENCE;
  const generated =
    config.shrinkSteps === undefined ? commands : fc.limitShrink(commands, config.shrinkSteps);
  // FAULT_SEQUENCE: run exactly this sequence (the "As data" line of a report), once.
  const arbitrary = given ? fc.constant(JSON.parse(given) as FaultCommand[]) : generated;
  let failures = 0;
  const reportingFirst = async (sequence: FaultCommand[]): Promise<void> => {
    try {
      await runOne(sequence);
    } catch (error) {
      // Shrinking worker runs takes minutes: show the failure as soon as it is found.
      if (failures++ === 0 && config.shrink) {
        process.stderr.write(
          `\n[fault] ${store}: a run failed; shrinking it (the shrunk case follows at the end). As found:\n` +
            `${sequence.map((command) => `  ${describeCommand(command)}`).join('\n')}\n` +
            `${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
      throw error;
    }
  };
  const details = await fc.check(fc.asyncProperty(arbitrary, reportingFirst), {
    seed: config.seed,
    numRuns: given ? 1 : config.runs,
    ...(config.path !== undefined ? { path: config.path } : {}),
    endOnFailure: !config.shrink,
  });
  if (!details.failed) return;
  const shrunk = details.counterexample?.[0] ?? [];
  const firstError =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const {
    sequence: counterexample,
    error,
    removed,
  } = config.shrink
    ? await dropUnneeded(shrunk, firstError, runOne, config.dropSteps)
    : { sequence: shrunk, error: firstError, removed: 0 };
  const replay =
    `FAULT_SEED=${details.seed} FAULT_PATH='${details.counterexamplePath ?? ''}' ` +
    `npm run chaos -- --store ${store} --runs 1`;
  throw new Error(
    [
      `Fault suite (${store}): an invariant broke after ${details.numRuns} run(s), seed ${details.seed}, ` +
        `path "${details.counterexamplePath}", shrunk ${details.numShrinks} time(s)` +
        `${removed > 0 ? `, then ${removed} operation(s) found unneeded and dropped` : ''}.`,
      'Sequence:',
      ...counterexample.map((command, i) => `  ${String(i + 1).padStart(2)}. ${describeCommand(command)}`),
      `As data: ${JSON.stringify(counterexample)}`,
      '',
      error,
      '',
      `Replay: ${replay}`,
      `   or: FAULT_SEQUENCE='${JSON.stringify(counterexample)}' npm run chaos -- --store ${store}`,
    ].join('\n'),
  );
}

/**
 * fast-check shrinks the generated steps, but not the operations a step holds together (a scenario)
 * nor every single one: try dropping each operation of the shrunk sequence in turn and keep the
 * drop while the run still fails, at most `budget` runs.
 */
async function dropUnneeded(
  sequence: FaultCommand[],
  error: string,
  runOne: (commands: FaultCommand[]) => Promise<void>,
  budget: number,
): Promise<{ sequence: FaultCommand[]; error: string; removed: number }> {
  let current = sequence;
  let message = error;
  let tries = 0;
  for (let i = current.length - 1; i >= 0 && current.length > 1 && tries < budget; i--) {
    const candidate = [...current.slice(0, i), ...current.slice(i + 1)];
    tries += 1;
    try {
      await runOne(candidate);
    } catch (failure) {
      current = candidate;
      message = failure instanceof Error ? failure.message : String(failure);
    }
  }
  return { sequence: current, error: message, removed: sequence.length - current.length };
}
