/**
 * One property over worker-process runs on a real store: for each generated sequence, fresh
 * workers on a fresh table or collection, the operations and faults, a quiet end, then the checker.
 */
import { commandsArb, type CommandProfile } from './commands.js';
import { assertFaultProperty, type RunConfig } from './fault-config.js';
import { checkRun, formatViolations } from './invariants.js';
import { PROCESS_TIMING, ProcessFaultEnv } from './process-env.js';
import { debugSummary, runCommands } from './run-commands.js';
import type { StoreBackend } from './store-backends.js';

export async function assertProcessProperty(options: {
  /** The chaos runner's name of the suite, for the replay command. */
  suite: string;
  label: string;
  backend: StoreBackend;
  profile: CommandProfile;
  config: RunConfig;
}): Promise<void> {
  const { label, backend, profile, config } = options;
  await assertFaultProperty(options.suite, config, commandsArb(profile), async (commands) => {
    const env = await ProcessFaultEnv.create(label, backend);
    try {
      await runCommands(env, commands);
      const horizon = await env.quiesce();
      const now = env.stamp();
      const tasks = await env.snapshot();
      await env.finish();
      debugSummary(env, tasks);
      const violations = checkRun(
        env.model,
        env.journal,
        { tasks, inFlight: env.inFlight(), horizon, now },
        {
          leaseMs: PROCESS_TIMING.leaseMs,
          settleWindowMs: 2_000,
          abortGraceMs: PROCESS_TIMING.leaseMs + 1_000,
          timeout: { on: true, ms: PROCESS_TIMING.timeoutMs },
          exactOrder: false,
        },
      );
      if (violations.length > 0) {
        throw new Error(
          `${formatViolations(env.label, violations, env.model, env.journal, env.origin)}\n` +
            `  worker stderr (last lines):\n${env.stderrTail(8)}`,
        );
      }
    } finally {
      await env.dispose();
    }
  });
}
