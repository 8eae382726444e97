import { MAX_ERROR_TEXT_BYTES } from '../../../core/error-text.js';
import {
  InvalidArgumentError,
  InvalidCronExpressionError,
  InvalidPayloadError,
  InvalidSlugError,
  JobNotFoundError,
} from '../../../core/errors/index.js';
import type { Trigger } from '../../../core/schedule/trigger.js';
import { collect, HOUR, MINUTE, SECOND, until } from '../operating-harness.js';
import type { OperatingContext } from '../operating.suite.js';

/** Values a hostile job throws. */
function hostileThrows(): Array<[string, () => unknown]> {
  const cyclic: Record<string, unknown> = { name: 'cyclic' };
  cyclic.self = cyclic;
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  return [
    ['a BigInt', () => 10n],
    ['a cyclic object', () => cyclic],
    [
      'an object whose toJSON throws',
      () => ({
        toJSON() {
          throw new Error('no JSON for you');
        },
      }),
    ],
    ['a revoked Proxy', () => revoked.proxy],
    ['undefined', () => undefined],
    ['a Symbol', () => Symbol('sym')],
    [
      'an Error whose message getter throws',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get: () => {
            throw new Error('getter');
          },
        }),
    ],
    ['a 1 MB string', () => 'x'.repeat(1024 * 1024)],
    ['a string with half a surrogate pair and a NUL', () => 'half \uD800 of a pair, and \u0000'],
  ];
}

/**
 * Issue 9's regression cases, end to end through `StdScheduler` on every store: a replaced or
 * re-created task is never dropped or inherited by its old run; nothing a job throws, returns or
 * stores ends the process or loses a task; job timeouts; bad input is refused before any write.
 */
export function reliabilityCases(ctx: OperatingContext): void {
  const { describe, it, expect } = ctx.t;
  describe('a task replaced while its old version runs', () => {
    for (const how of ['replace', 'delete and create'] as const) {
      it(`(${how}, same instance) aborts the old run, discards its failure, and keeps the new version as it was written`, async () => {
        const { env } = ctx;
        const reasons: unknown[] = [];
        const job = env.job('rel-replace', (task, c) => {
          if (task.payload !== 'old') return undefined;
          reasons.push(c.signal.reason);
          throw new Error('the old version fails late');
        });
        const scheduler = env.scheduler({ abortGraceMs: HOUR });
        scheduler.registerJob(job);
        await scheduler.scheduleJob('t', 'rel-replace', { payload: 'old', runAt: env.ago(SECOND) });
        job.hold('t');
        await scheduler.start();
        await until(() => job.runs.length === 1, 'the old version to start');

        const later = env.ahead(HOUR);
        if (how === 'delete and create') await scheduler.deleteJob('t');
        const created = await scheduler.scheduleJob('t', 'rel-replace', {
          payload: 'new',
          runAt: later,
          replace: how === 'replace',
        });
        job.release('t');
        await scheduler.whenIdle();

        expect(reasons).toEqual([how === 'replace' ? 'replaced' : 'deleted']);
        expect(await scheduler.getScheduledJob('t')).toMatchObject({
          payload: 'new',
          incarnation: created.incarnation,
          nextRunTime: later,
          retry: 0,
          result: null,
          failed: false,
          state: 'scheduled',
        });
        expect(env.logger.has('warn', 'outcome discarded')).toBe(true);
      });
    }

    it('(replace, due at once) runs the new version once, as a first attempt, while the old one is void', async () => {
      const { env } = ctx;
      const job = env.job('rel-replace-now', (task) => {
        if (task.payload === 'old') throw new Error('old');
      });
      const scheduler = env.scheduler({ abortGraceMs: HOUR });
      scheduler.registerJob(job);
      await scheduler.scheduleJob('t', 'rel-replace-now', { payload: 'old', runAt: env.ago(SECOND) });
      job.hold('t');
      await scheduler.start();
      await until(() => job.runs.length === 1, 'the old version to start');
      await scheduler.scheduleJob('t', 'rel-replace-now', { payload: 'new', replace: true });
      await until(() => job.runs.length === 2, 'the new version to start');
      job.release('t');
      await scheduler.whenIdle();

      expect(job.runs.map((run) => [run.payload, run.attempt])).toEqual([
        ['old', 1],
        ['new', 1],
      ]);
      await expect(scheduler.getScheduledJob('t')).rejects.toBeInstanceOf(JobNotFoundError);
    });

    it('(replace from another instance) the old run loses its lease and its outcome; the new version stays', async () => {
      const { env } = ctx;
      let signal: AbortSignal | undefined;
      const job = env.job('rel-remote', (task, c) => {
        signal = c.signal;
        if (task.payload === 'old') throw new Error('old');
      });
      const runner = env.scheduler({ leaseMs: 3 * SECOND, abortGraceMs: HOUR });
      const other = env.scheduler();
      runner.registerJob(job);
      await runner.scheduleJob('t', 'rel-remote', { payload: 'old', runAt: env.ago(SECOND) });
      job.hold('t');
      await runner.start();
      await until(() => job.runs.length === 1, 'the old version to start');
      const later = env.ahead(HOUR);
      await other.scheduleJob('t', 'rel-remote', { payload: 'new', runAt: later, replace: true });
      const lost = collect(runner, 'lease.lost');
      await until(async () => {
        await env.harness.advance(500);
        return lost.length > 0;
      }, 'the old run to learn that its lease is gone');
      job.release('t');
      await until(() => runner.health().inFlight === 0, 'the old run to end');

      expect(signal?.reason).toBe('lease-lost');
      expect(lost).toHaveLength(1);
      expect(await other.getScheduledJob('t')).toMatchObject({
        payload: 'new',
        nextRunTime: later,
        retry: 0,
      });
    });
  });

  describe('hostile jobs', () => {
    it('turns anything thrown into bounded text, keeps the task visible as failed, and keeps running', async () => {
      const { env } = ctx;
      const throws = hostileThrows();
      const job = env.job('rel-throw', (task) => {
        throw throws[task.payload as number][1]();
      });
      const scheduler = env.scheduler();
      scheduler.registerJob(job, { maxRetries: 0 });
      for (const [i] of throws.entries()) {
        await scheduler.scheduleJob(`throw-${i}`, 'rel-throw', { payload: i, runAt: env.ago(SECOND) });
      }
      await scheduler.start();
      await scheduler.whenIdle();
      await until(
        async () => (await scheduler.listJobs({ state: 'failed' })).tasks.length === throws.length,
        'every task failed',
      );

      for (const [i, [what]] of throws.entries()) {
        const task = await scheduler.getScheduledJob(`throw-${i}`);
        expect({ what, state: task.state, result: typeof task.result }).toEqual({
          what,
          state: 'failed',
          result: 'string',
        });
        expect(Buffer.byteLength(task.result as string, 'utf8')).toBeLessThanOrEqual(MAX_ERROR_TEXT_BYTES);
        expect((task.result as string).isWellFormed()).toBe(true);
      }
      expect((await scheduler.getScheduledJob('throw-0')).result).toBe('10n');
      expect(scheduler.isRunning).toBe(true);
    });

    it('fails a run that returns what no store can hold, with the reason, and writes the other outcomes of its batch', async () => {
      const { env } = ctx;
      const returns: Array<(task: never) => unknown> = [
        (task) => ({ ...(task as object), result: 42 }),
        (task) => ({ ...(task as object), runAt: new Date('+010000-01-01T00:00:00Z') }),
        (task) => ({ ...(task as object), runAt: 'tomorrow' }),
        (task) => ({ ...(task as object), payload: { n: 1n } }),
        () => 7,
      ];
      const job = env.job('rel-return', (task) => {
        const i = task.payload as number;
        return (i < returns.length ? returns[i](task as never) : undefined) as never;
      });
      const scheduler = env.scheduler();
      scheduler.registerJob(job, { maxRetries: 0 });
      const good = 5;
      for (let i = 0; i < returns.length + good; i++) {
        await scheduler.scheduleJob(`ret-${i}`, 'rel-return', { payload: i, runAt: env.ago(SECOND) });
      }
      await scheduler.start();
      await scheduler.whenIdle();
      await until(
        async () => (await scheduler.getJobSlugs()).length === returns.length,
        'the good runs to be written',
      );

      for (let i = 0; i < returns.length; i++) {
        const task = await scheduler.getScheduledJob(`ret-${i}`);
        expect(task).toMatchObject({ failed: true, payload: i });
        expect(task.result).toContain('cannot store');
      }
      expect(scheduler.health()).toMatchObject({
        pendingOutcomes: 0,
        unwritableOutcomes: 0,
        lastOutcomeWriteError: null,
      });
    });

    it('falls back to the default backoff when a backoff throws or answers NaN', async () => {
      const { env } = ctx;
      const job = env.job('rel-backoff', () => {
        throw new Error('fails');
      });
      const scheduler = env.scheduler();
      let call = 0;
      scheduler.registerJob(job, {
        backoff: () => {
          call += 1;
          if (call === 1) return Number.NaN;
          throw new Error('backoff broke');
        },
      });
      const started = env.now().getTime();
      await scheduler.scheduleJob('b', 'rel-backoff', { runAt: env.ago(SECOND) });
      await scheduler.start();
      await until(
        async () => (await scheduler.getScheduledJob('b')).retry === 1,
        'the first retry to be scheduled',
      );
      const task = await scheduler.getScheduledJob('b');
      // The default backoff: 10 s for the first retry.
      expect(task.nextRunTime.getTime() - started).toBeGreaterThanOrEqual(10 * SECOND);
      expect(env.logger.has('warn', 'the backoff of this kind')).toBe(true);
    });

    it('keeps a task whose trigger throws as failed, with the reason, and never runs it again', async () => {
      const { env } = ctx;
      const job = env.job('rel-trigger');
      const scheduler = env.scheduler();
      const broken: Trigger = {
        nextFireTime() {
          throw new Error('this trigger is broken');
        },
      };
      scheduler.registerJob(job, { trigger: broken });
      await scheduler.scheduleJob('tr', 'rel-trigger', { runAt: env.ago(SECOND) });
      await scheduler.start();
      await until(async () => (await scheduler.getScheduledJob('tr')).failed, 'the task to be failed');
      const task = await scheduler.getScheduledJob('tr');
      expect(task.result).toContain('this trigger is broken');
      expect(task.state).toBe('failed');
      await env.harness.advance(2 * SECOND);
      await scheduler.whenIdle();
      // It ran once: only the outcome needs the next fire time.
      expect(job.runs).toHaveLength(1);
    });

    it('keeps a task whose stored schedule this instance cannot read as failed, without running it', async () => {
      const { env } = ctx;
      const job = env.job('rel-schedule');
      const scheduler = env.scheduler();
      scheduler.registerJob(job);
      await scheduler.scheduleJob('hand-edited', 'rel-schedule', {
        trigger: '@hourly',
        runAt: env.ahead(HOUR),
      });
      // As a hand-edited row or a newer version's format would have it.
      await env.store.update('hand-edited', {
        schedule: { type: 'cron', expression: '61 * * * *', timeZone: 'UTC' },
        runAt: env.ago(SECOND),
      });
      await scheduler.start();
      await until(
        async () => (await scheduler.getScheduledJob('hand-edited')).failed,
        'the task to be failed',
      );
      expect((await scheduler.getScheduledJob('hand-edited')).result).toContain('61');
      await env.harness.advance(2 * SECOND);
      await scheduler.whenIdle();
      expect(job.runs).toHaveLength(0);
      expect(scheduler.isRunning).toBe(true);
    });
  });

  describe('job timeouts', () => {
    it('aborts the signal at the timeout, counts a failure, and frees the slot of a job that ignores it', async () => {
      const { env } = ctx;
      const signals: AbortSignal[] = [];
      const stubborn = env.job('rel-stubborn', (_task, c) => {
        signals.push(c.signal);
      });
      const polite = env.job(
        'rel-polite',
        (_task, c) => new Promise((resolve) => c.signal.addEventListener('abort', () => resolve(undefined))),
      );
      const scheduler = env.scheduler({ abortGraceMs: 500 });
      scheduler.registerJob(stubborn, { timeoutMs: SECOND });
      scheduler.registerJob(polite, { timeoutMs: SECOND });
      await scheduler.scheduleJob('stubborn', 'rel-stubborn', { runAt: env.ago(SECOND) });
      await scheduler.scheduleJob('polite', 'rel-polite', { runAt: env.ago(SECOND) });
      stubborn.hold('stubborn');
      await scheduler.start();
      await until(() => stubborn.runs.length === 1 && polite.runs.length === 1, 'both runs to start');

      await until(async () => {
        await env.harness.advance(250);
        return scheduler.health().inFlight === 0;
      }, 'both runs to end as timed out');
      for (const slug of ['stubborn', 'polite']) {
        expect(await scheduler.getScheduledJob(slug)).toMatchObject({
          retry: 1,
          result: "Timed out after 1000 ms (the job's signal was aborted)",
        });
      }
      expect(scheduler.health().detachedRuns).toBe(1);
      stubborn.release('stubborn');
      await until(() => scheduler.health().detachedRuns === 0, 'the stubborn job to return at last');
      expect(signals[0]?.reason).toBe('timeout');
    });
  });

  describe('bad input at the API', () => {
    it('is refused with a typed error before anything is written, the same on every store', async () => {
      const { env } = ctx;
      const s = env.scheduler();
      const refusals: Array<[Promise<unknown>, new (...args: never[]) => Error]> = [
        [s.scheduleJob('x\uD800', 'k'), InvalidSlugError],
        [s.scheduleJob('x'.repeat(2000), 'k'), InvalidSlugError],
        [s.scheduleJob('ok', 'k'.repeat(300)), InvalidArgumentError],
        [s.scheduleJob('ok', ''), InvalidArgumentError],
        [s.scheduleJob('ok', 'k', { runAt: new Date('+010000-01-01T00:00:00Z') }), InvalidArgumentError],
        [s.scheduleJob('ok', 'k', { delay: 1000, runAt: env.ahead(MINUTE) }), InvalidArgumentError],
        [s.scheduleJob('ok', 'k', { paused: 'no' as never }), InvalidArgumentError],
        [
          s.scheduleJob('ok', 'k', { payload: JSON.parse('['.repeat(100) + ']'.repeat(100)) as never }),
          InvalidPayloadError,
        ],
        [s.scheduleJob('ok', 'k', { trigger: '61 * * * *' }), InvalidCronExpressionError],
        [s.getScheduledJob('a\u0000b'), InvalidSlugError],
        [s.deleteJob('a\u0000b'), InvalidSlugError],
        [s.listJobs({ kind: 'k\u0000' }), InvalidArgumentError],
        [s.listJobs({ state: 'bogus' as never }), InvalidArgumentError],
        [s.listJobs({ limit: 0 }), InvalidArgumentError],
        [s.getJobHistory('ok', { limit: Number.NaN }), InvalidArgumentError],
        [s.ensureRecurring('ok', '', '@hourly'), InvalidArgumentError],
        [s.rescheduleJob('ok', { runAt: new Date(Number.NaN) }), InvalidArgumentError],
        [s.pauseKind('k\uDC00'), InvalidArgumentError],
      ];
      for (const [call, type] of refusals) await expect(call).rejects.toBeInstanceOf(type);
      expect(await s.getJobSlugs()).toEqual([]);
    });
  });
}
