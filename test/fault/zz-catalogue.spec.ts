/** @jest-environment ./test/fault/support/fault-environment.js */
import { RETURNED_VALUES, THROWN_VALUES, type Behaviour } from './support/behaviours.js';
import { checkRun } from './support/invariants.js';
import { MEMORY_TIMING, MemoryFaultEnv } from './support/memory-env.js';
import { runCommands } from './support/run-commands.js';
import type { FaultCommand } from './support/commands.js';

const behaviours: Behaviour[] = [
  ...THROWN_VALUES.map((value) => ({ do: 'throw', value }) as Behaviour),
  ...RETURNED_VALUES.map((value) => ({ do: 'return', value }) as Behaviour),
];
it('catalogue', async () => {
  const lines: string[] = [];
  for (const kind of ['plain', 'nan-backoff', 'throwing-backoff', 'custom-trigger']) {
    for (const behaviour of kind === 'plain'
      ? behaviours
      : [{ do: 'ok' } as Behaviour, { do: 'throw', value: 'error' } as Behaviour]) {
      for (const recurring of [false, true]) {
        const env = await MemoryFaultEnv.create({ timeoutApi: false });
        const commands: FaultCommand[] = [
          { op: 'schedule', slug: 's0', kind, behaviour, delay: 0, replace: false, recurring, via: 0 },
          { op: 'wait', ms: 1000 },
        ];
        await runCommands(env, commands);
        const horizon = await env.quiesce();
        const now = env.stamp();
        const tasks = await env.snapshot();
        const inFlight = env.inFlight();
        await env.finish();
        const v = checkRun(
          env.model,
          env.journal,
          { tasks, inFlight, horizon, now },
          {
            leaseMs: MEMORY_TIMING.leaseMs,
            settleWindowMs: 0,
            abortGraceMs: MEMORY_TIMING.leaseMs,
            timeout: { on: false, ms: 0 },
            exactOrder: true,
            preciseAbortReasons: true,
            skip: new Set(),
          },
        );
        const task = tasks[0];
        const state = task
          ? `${task.failed ? 'failed' : 'scheduled'} result=${JSON.stringify(String(task.result)).slice(0, 60)} runAt=${task.runAt.toISOString?.()}`
          : 'absent';
        lines.push(
          `${kind} ${JSON.stringify(behaviour)} ${recurring ? 'recurring' : 'one-time'}: ${[...new Set(v.map((x) => x.rule))].join(',') || 'OK'} | end: ${state}`,
        );
        await env.dispose();
      }
    }
  }
  console.log(lines.join('\n'));
}, 120_000);
