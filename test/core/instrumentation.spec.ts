/**
 * The engine's instrumentation port, with a recording instrumentation on a virtual clock: what each
 * hook is told, the trace context stored only when asked, and an instrumentation that fails never
 * failing a run.
 */
import { VirtualClock } from '../../lib/core/clock.js';
import type {
  ExecutionEnd,
  ExecutionInfo,
  ScheduleInfo,
  SchedulerInstrumentation,
  SettleBatchInfo,
} from '../../lib/core/instrumentation.js';
import type { StoreTask } from '../../lib/core/job.js';
import { silentLogger } from '../../lib/core/logger.js';
import { StdScheduler } from '../../lib/core/scheduler.js';
import type { SchedulerOptions } from '../../lib/core/scheduler.types.js';
import type { ClaimRequest } from '../../lib/core/store/job-store.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { ControlledJob, SECOND } from '../../lib/testing/operating/operating-harness.js';

const CONTEXT = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

/** Records every hook call; hands `CONTEXT` to every write. */
class RecordingInstrumentation implements SchedulerInstrumentation {
  readonly scheduled: ScheduleInfo[] = [];
  readonly executions: Array<{ info: ExecutionInfo; ran: boolean; ends: ExecutionEnd[] }> = [];
  readonly claims: Array<{ request: ClaimRequest; claimed: string[] }> = [];
  readonly settles: SettleBatchInfo[] = [];

  schedule<T>(info: ScheduleInfo, write: (traceContext: typeof CONTEXT | null) => Promise<T>): Promise<T> {
    this.scheduled.push(info);
    return write(CONTEXT);
  }

  execution(info: ExecutionInfo) {
    const record = { info, ran: false, ends: [] as ExecutionEnd[] };
    this.executions.push(record);
    return {
      run: <T>(work: () => T): T => {
        record.ran = true;
        return work();
      },
      end: (end: ExecutionEnd) => void record.ends.push(end),
    };
  }

  async claimBatch(request: ClaimRequest, claim: () => Promise<StoreTask[]>): Promise<StoreTask[]> {
    const tasks = await claim();
    this.claims.push({ request, claimed: tasks.map((task) => task.slug) });
    return tasks;
  }

  settleBatch<T>(info: SettleBatchInfo, settle: () => Promise<T>): Promise<T> {
    this.settles.push(info);
    return settle();
  }
}

function setup(options: SchedulerOptions) {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  const scheduler = new StdScheduler(store, { clock, logger: silentLogger, instanceId: 'i-1', ...options });
  return { clock, store, scheduler };
}

describe('the instrumentation port', () => {
  it('tells each hook what it needs: scheduling, executions and their ends, claims, settles', async () => {
    const recorder = new RecordingInstrumentation();
    const { clock, scheduler } = setup({ instrumentation: recorder, propagateTraceContext: true });
    const job = new ControlledJob('k', (task) => {
      if (task.slug === 'bad') throw new RangeError('out of range');
    });
    scheduler.registerJob(job, { maxRetries: 1 });
    await scheduler.scheduleJob('ok', 'k', { delay: SECOND, payload: 1 });
    await scheduler.scheduleJob('bad', 'k', { delay: SECOND });
    await scheduler.ensureRecurring('tick', 'k', { every: '1h' });
    expect(
      recorder.scheduled.map((info) => [info.operation, info.tasks.map((task) => task.slug), info.propagate]),
    ).toEqual([
      ['scheduleJob', ['ok'], true],
      ['scheduleJob', ['bad'], true],
      ['ensureRecurring', ['tick'], true],
    ]);
    expect((await scheduler.getScheduledJob('ok')).traceContext).toEqual(CONTEXT);

    await scheduler.start();
    clock.advanceBy(3 * SECOND);
    await scheduler.whenIdle();
    const bySlug = (slug: string) => recorder.executions.filter((e) => e.info.task.slug === slug);
    const [ok] = bySlug('ok');
    expect(ok!.ran).toBe(true);
    expect(ok!.info).toMatchObject({ attempt: 1, recurring: false, instanceId: 'i-1' });
    expect(ok!.info.task.traceContext).toEqual(CONTEXT);
    expect(ok!.ends).toEqual([
      {
        outcome: 'succeeded',
        next: 'deleted',
        nextRunAt: null,
        error: null,
        thrown: undefined,
        finishedAt: clock.now(),
      },
    ]);
    const [bad] = bySlug('bad');
    expect(bad!.ends).toHaveLength(1);
    expect(bad!.ends[0]).toMatchObject({ outcome: 'failed', next: 'retrying', error: 'out of range' });
    expect(bad!.ends[0]!.thrown).toBeInstanceOf(RangeError);
    expect(bad!.ends[0]!.nextRunAt).toBeInstanceOf(Date);

    const claimed = recorder.claims.flatMap((claim) => claim.claimed).sort();
    expect(claimed).toEqual(['bad', 'ok']);
    expect(recorder.claims[0]!.request).toMatchObject({ kinds: ['k'], owner: 'i-1' });
    const settled = recorder.settles.flatMap((settle) => settle.tasks.map((task) => task.slug)).sort();
    expect(settled).toEqual(['bad', 'ok']);
    for (const settle of recorder.settles) {
      expect(settle.outcomes.map((outcome) => outcome.slug)).toEqual(settle.tasks.map((task) => task.slug));
    }

    await scheduler.triggerJob('tick');
    await scheduler.whenIdle();
    expect(bySlug('tick')[0]!.info.recurring).toBe(true);
    expect(bySlug('tick')[0]!.ends[0]).toMatchObject({ outcome: 'succeeded', next: 'rescheduled' });
    await scheduler.stop();
  });

  it('stores no trace context unless propagation is on, whatever the hook hands over', async () => {
    const recorder = new RecordingInstrumentation();
    const { scheduler } = setup({ instrumentation: recorder });
    await scheduler.scheduleJob('plain', 'k', { delay: SECOND });
    await scheduler.scheduleJob('asked', 'k', { delay: SECOND, propagateTraceContext: true });
    expect(recorder.scheduled.map((info) => info.propagate)).toEqual([false, true]);
    expect('traceContext' in (await scheduler.getScheduledJob('plain'))).toBe(false);
    expect((await scheduler.getScheduledJob('asked')).traceContext).toEqual(CONTEXT);
  });

  it('ends an execution given up at shutdown as abandoned', async () => {
    const recorder = new RecordingInstrumentation();
    const { clock, scheduler } = setup({ instrumentation: recorder });
    const job = new ControlledJob('k');
    job.hold('held');
    scheduler.registerJob(job);
    await scheduler.scheduleJob('held', 'k', { runAt: clock.now() });
    await scheduler.start();
    while (job.runs.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await scheduler.stop({ timeoutMs: 0 });
    job.releaseAll();
    expect(recorder.executions.map((e) => e.ends.map((end) => end.outcome))).toEqual([['abandoned']]);
  });

  it('runs jobs as usual when the instrumentation itself fails', async () => {
    const errors: string[] = [];
    const broken: SchedulerInstrumentation = {
      schedule: (_info, write) => write(null),
      execution: () => {
        throw new Error('no tracer today');
      },
      claimBatch: (_info, claim) => claim(),
      settleBatch: (_info, settle) => settle(),
    };
    const endFails: SchedulerInstrumentation = {
      ...broken,
      execution: () => ({
        run: (work) => work(),
        end: () => {
          throw new Error('exporter down');
        },
      }),
    };
    for (const instrumentation of [broken, endFails]) {
      const clock = new VirtualClock();
      const scheduler = new StdScheduler(new MemoryStore({ clock }), {
        clock,
        instrumentation,
        logger: { ...silentLogger, error: (message: string) => void errors.push(message) },
      });
      const job = new ControlledJob('k');
      scheduler.registerJob(job);
      await scheduler.scheduleJob('t', 'k', { runAt: clock.now() });
      await scheduler.start();
      await scheduler.whenIdle();
      expect(job.slugs()).toEqual(['t']);
      expect(await scheduler.getJobSlugs()).toEqual([]);
      await scheduler.stop();
    }
    expect(errors).toEqual(['[k:t] the instrumentation failed to open its span: no tracer today']);
  });
});
