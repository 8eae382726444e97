/** @jest-environment ./test/fault/support/fault-environment.js */
/**
 * The fault suite, in-process: random sequences of schedule / replace / delete / pause / resume /
 * trigger / reschedule, hostile jobs, hand-corrupted schedules, bad names, clock leaps and instance
 * restarts, on two schedulers sharing a MemoryStore and a VirtualClock. After each run the
 * invariants of issue #9 are checked against the model (support/invariants.ts).
 */
import { commandsArb } from './support/commands.js';
import { assertFaultProperty, propertyTimeoutMs, runConfig } from './support/fault-config.js';
import { checkRun, formatViolations } from './support/invariants.js';
import { MEMORY_TIMING, MemoryFaultEnv } from './support/memory-env.js';
import { MEMORY_PROFILE } from './support/profiles.js';
import { debugSummary, runCommands } from './support/run-commands.js';

const config = runConfig({ fixedSeed: 9_001, runs: 50, chaosRuns: 5_000, shrinkInTests: true });

describe('fault suite: memory store, in-process', () => {
  it(
    `loses no task, runs nothing twice, survives every job (seed ${config.seed}, ${config.runs} runs})`,
    async () => {
      await assertFaultProperty('memory', config, commandsArb(MEMORY_PROFILE), async (commands) => {
        const env = await MemoryFaultEnv.create();
        try {
          await runCommands(env, commands);
          const horizon = await env.quiesce();
          const now = env.stamp();
          const tasks = await env.snapshot();
          const inFlight = env.inFlight();
          await env.finish();
          debugSummary(env, tasks);
          const violations = checkRun(
            env.model,
            env.journal,
            { tasks, inFlight, horizon, now },
            {
              leaseMs: MEMORY_TIMING.leaseMs,
              settleWindowMs: 0,
              abortGraceMs: MEMORY_TIMING.leaseMs,
              timeout: { on: true, ms: MEMORY_TIMING.timeoutMs },
              exactOrder: true,
            },
          );
          if (violations.length > 0) {
            throw new Error(formatViolations(env.label, violations, env.model, env.journal, env.origin));
          }
        } finally {
          await env.dispose();
        }
      });
    },
    propertyTimeoutMs(600_000),
  );
});
