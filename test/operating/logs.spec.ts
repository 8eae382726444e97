/**
 * Logs: through Nest's Logger by default (context `Scheduler`), and every line about a task names
 * its kind and slug as `[kind:slug]`, whether the engine or the job (`ctx.logger`) wrote it.
 */
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FixedBackoff } from '../../lib/core/backoff.js';
import { VirtualClock } from '../../lib/core/clock.js';
import type { JobContext, StoreTask } from '../../lib/core/job.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { JobHandler, SchedulerModule, SchedulerService } from '../../lib/nest/index.js';
import { SECOND } from '../../lib/testing/operating/operating-harness.js';

@JobHandler('log-flaky', { maxRetries: 1, backoff: new FixedBackoff([SECOND]) })
class FlakyJob {
  async execute(): Promise<void> {
    throw new Error('disk full');
  }
}

@JobHandler('log-chatty')
class ChattyJob {
  async execute(task: StoreTask, ctx: JobContext): Promise<void> {
    ctx.logger.log(`working on ${JSON.stringify(task.payload)}`);
    ctx.logger.warn('halfway');
  }
}

interface Line {
  level: string;
  message: string;
  context: unknown;
}

describe('scheduler logs in a Nest application', () => {
  it("go to the app's logger with context 'Scheduler', and name kind and slug on every task line", async () => {
    const lines: Line[] = [];
    const capture =
      (level: string) =>
      (message: unknown, ...rest: unknown[]): void => {
        lines.push({ level, message: String(message), context: rest.at(-1) });
      };
    const appLogger: LoggerService = { log: capture('log'), warn: capture('warn'), error: capture('error') };
    const clock = new VirtualClock();
    const moduleRef = await Test.createTestingModule({
      imports: [SchedulerModule.forRoot(new MemoryStore({ clock }), { clock, instanceId: 'logs-1' })],
      providers: [FlakyJob, ChattyJob],
    }).compile();
    moduleRef.useLogger(appLogger);
    const app = await moduleRef.init();
    const scheduler = app.get(SchedulerService);
    await scheduler.scheduleJob('order-17', FlakyJob, { runAt: clock.now() });
    await scheduler.scheduleJob('order-18', ChattyJob, { runAt: clock.now(), payload: { id: 18 } });
    await scheduler.whenIdle();
    clock.advanceBy(SECOND);
    await scheduler.whenIdle();
    await app.close();

    const schedulerLines = lines.filter((line) => line.context === 'Scheduler');
    expect(schedulerLines).toEqual(
      expect.arrayContaining([
        {
          level: 'warn',
          message: expect.stringMatching(
            /^\[log-flaky:order-17\] failed \(attempt 1\), retry at .*: disk full$/,
          ),
          context: 'Scheduler',
        },
        {
          level: 'error',
          message: '[log-flaky:order-17] gave up after 2 attempt(s), kept as failed: disk full',
          context: 'Scheduler',
        },
        { level: 'log', message: '[log-chatty:order-18] working on {"id":18}', context: 'Scheduler' },
        { level: 'warn', message: '[log-chatty:order-18] halfway', context: 'Scheduler' },
      ]),
    );
    // Every line that mentions a task names it with its kind.
    for (const line of schedulerLines.filter((l) => /order-1[78]/.test(l.message))) {
      expect(line.message).toMatch(/^\[log-(flaky|chatty):order-1[78]\] /);
    }
  });
});
