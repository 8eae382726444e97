/**
 * Plays a sequence of operations on a fault environment (in-process or worker processes) and
 * records what each one observed in the run's model.
 */
import type { StoreTask } from '../../../lib/core/job.js';
import type { ScheduleJobOptions, TriggerInput } from '../../../lib/core/scheduler.types.js';
import { BAD_NAMES, CORRUPT_SCHEDULES, describeCommand, type FaultCommand } from './commands.js';
import type { Journal, Stamp } from './journal.js';
import type { RunModel, Span } from './model.js';

/** The part of a scheduler the operations go through. */
export interface SchedulerApi {
  scheduleJob(slug: string, kind: string, options?: ScheduleJobOptions): Promise<unknown>;
  deleteJob(slug: string): Promise<void>;
  pauseJob(slug: string): Promise<void>;
  resumeJob(slug: string): Promise<void>;
  triggerJob(slug: string): Promise<void>;
  rescheduleJob(slug: string, options: { runAt?: Date; trigger?: TriggerInput }): Promise<unknown>;
  getJobSlugs(): Promise<string[]>;
}

/** One store's way of running the operations and injecting its faults. */
export interface FaultEnv {
  readonly label: string;
  readonly model: RunModel;
  readonly journal: Journal;
  /** The period of recurring tasks. */
  readonly recurringEveryMs: number;
  stamp(): Stamp;
  /** The scheduler time (`t` of stamps), as a Date. */
  now(): Date;
  via(index: number): SchedulerApi;
  /** The instance id behind `via(index)` (a run there must see a replace or delete at once). */
  viaName(index: number): string;
  /** Lets what the last operation started happen (in-process: turns of the event loop). */
  settle(): Promise<void>;
  wait(ms: number): Promise<void>;
  /** Writes `schedule` into an idle task by hand; false when the task is absent or held. */
  corrupt(slug: string, schedule: unknown): Promise<boolean>;
  /** Injects a fault; returns what it hit (an instance id, or `db`), or null if it does not apply. */
  fault(command: FaultCommand): Promise<string | null>;
  /** Lifts every fault and lets everything due run; returns the horizon (what was due by then must have run). */
  quiesce(): Promise<Stamp>;
  /** Every task in the store. */
  snapshot(): Promise<StoreTask[]>;
  /** Stops every instance, recording deaths, leaked slots and slow stops as violations. */
  finish(): Promise<void>;
  dispose(): Promise<void>;
}

const TYPED = new Set([
  'JobAlreadyScheduledError',
  'JobNotFoundError',
  'JobRunningError',
  'InvalidSlugError',
  'InvalidArgumentError',
  'InvalidPayloadError',
  'InvalidCronExpressionError',
  'UnsupportedTriggerError',
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error);
}

async function timed<T>(
  env: FaultEnv,
  run: () => Promise<T>,
): Promise<{ span: Span; ok: true; value: T } | { span: Span; ok: false; error: unknown }> {
  const from = env.stamp();
  try {
    const value = await run();
    return { span: { from, to: env.stamp() }, ok: true, value };
  } catch (error) {
    return { span: { from, to: env.stamp() }, ok: false, error };
  }
}

/** Plays one operation. */
export async function applyCommand(env: FaultEnv, command: FaultCommand): Promise<void> {
  const { model } = env;
  const text = describeCommand(command);
  const log = (span: Span, slug: string | null, outcome: string): void =>
    void model.operations.push({ span, text, slug, outcome });
  /** An operation on a slug ended in an error: typed ones are expected, anything else makes the slug ambiguous. */
  const failed = (slug: string, span: Span, error: unknown, expected: readonly string[]): string => {
    const name = errorName(error);
    if (expected.includes(name)) return name;
    if (TYPED.has(name)) {
      model.violations.push({ rule: 'operation-error', slug, message: `${text} threw ${errorText(error)}` });
    } else {
      const inc = model.current(slug);
      if (inc) inc.ambiguous = true;
    }
    log(span, slug, errorText(error));
    return '';
  };
  const phantom = (slug: string, span: Span): void => {
    const inc = model.current(slug);
    if (inc?.ambiguous) return;
    model.violations.push({
      rule: 'phantom',
      slug,
      message: `${text} succeeded at +${span.from.t} although the model has no live version of ${slug} (last: ${inc ? `${inc.id}, ${inc.superseded?.by ?? 'live'}d` : 'none'})`,
    });
  };

  switch (command.op) {
    case 'schedule': {
      const inc = model.newIncId();
      const options: ScheduleJobOptions = {
        delay: command.delay,
        replace: command.replace,
        payload: { inc, behave: command.behaviour as unknown as { do: string } },
        ...(command.recurring ? { trigger: { every: env.recurringEveryMs } } : {}),
      };
      const result = await timed(env, () =>
        env.via(command.via).scheduleJob(command.slug, command.kind, options),
      );
      if (result.ok) {
        model.created(
          {
            id: inc,
            slug: command.slug,
            kind: command.kind,
            behaviour: command.behaviour,
            recurring: command.recurring,
            created: result.span,
            replaced: command.replace,
            paused: false,
            ambiguous: false,
          },
          env.viaName(command.via),
        );
        log(result.span, command.slug, `ok (${inc})`);
        return;
      }
      const name = failed(command.slug, result.span, result.error, ['JobAlreadyScheduledError']);
      if (name) log(result.span, command.slug, name);
      return;
    }
    case 'delete':
    case 'pause':
    case 'resume':
    case 'trigger':
    case 'reschedule': {
      const api = env.via(command.via);
      const slug = command.slug;
      const result = await timed(env, (): Promise<unknown> => {
        switch (command.op) {
          case 'delete':
            return api.deleteJob(slug);
          case 'pause':
            return api.pauseJob(slug);
          case 'resume':
            return api.resumeJob(slug);
          case 'trigger':
            return api.triggerJob(slug);
          case 'reschedule':
            return api.rescheduleJob(slug, { runAt: new Date(env.now().getTime() + command.delay) });
        }
      });
      const inc = model.live(slug);
      if (result.ok) {
        log(result.span, slug, 'ok');
        if (!inc) return phantom(slug, result.span);
        if (command.op === 'delete')
          inc.superseded = { by: 'delete', span: result.span, via: env.viaName(command.via) };
        else if (command.op === 'pause') inc.paused = true;
        else if (command.op === 'resume') inc.paused = false;
        else if (command.op === 'trigger') inc.triggers.push(result.span);
        else inc.reschedules.push(result.span);
        return;
      }
      const name = failed(slug, result.span, result.error, ['JobNotFoundError', 'JobRunningError']);
      if (!name) return;
      log(result.span, slug, name);
      if (name === 'JobNotFoundError') inc?.absentSeen.push(result.span);
      return;
    }
    case 'wait': {
      await env.wait(command.ms);
      return;
    }
    case 'corrupt': {
      const inc = model.live(command.slug);
      if (!inc) return;
      const result = await timed(env, () => env.corrupt(command.slug, CORRUPT_SCHEDULES[command.variant]));
      if (result.ok && result.value) inc.corrupted = result.span;
      log(
        result.span,
        command.slug,
        result.ok ? (result.value ? 'written' : 'not idle, left alone') : errorText(result.error),
      );
      return;
    }
    case 'bad-name': {
      const { slug, kind } = BAD_NAMES[command.variant];
      const api = env.via(command.via);
      const before = new Set(await api.getJobSlugs());
      const result = await timed(env, () => api.scheduleJob(slug, kind, { payload: { inc: 'bad-name' } }));
      const after = await api.getJobSlugs();
      const written = after.filter((s) => !before.has(s) && !model.current(s));
      const problem = result.ok
        ? 'was accepted'
        : ['InvalidSlugError', 'InvalidArgumentError'].includes(errorName(result.error))
          ? null
          : `was refused with an untyped error (${errorText(result.error)})`;
      if (problem) model.violations.push({ rule: 'bad-name', message: `${text}: ${problem}` });
      if (written.length > 0) {
        model.violations.push({
          rule: 'bad-name',
          message: `${text}: something was written (${written.map((s) => JSON.stringify(s.slice(0, 40))).join(', ')})`,
        });
      }
      log(result.span, null, result.ok ? 'accepted' : errorName(result.error));
      return;
    }
    default: {
      const from = env.stamp();
      const target = await env.fault(command);
      const to = env.stamp();
      const untilT = command.op === 'stall' ? Math.max(to.t, from.t + command.ms) : to.t;
      if (target !== null) model.faults.push({ span: { from, to }, text, target, untilT });
    }
  }
}

/** FAULT_DEBUG=1 prints every operation as it is played (to follow a slow or hanging run). */
const DEBUG = process.env.FAULT_DEBUG === '1';

/** With FAULT_DEBUG=1, one line about what a run did (to see that runs exercise something). */
export function debugSummary(env: FaultEnv, tasks: readonly StoreTask[]): void {
  if (!DEBUG) return;
  const executions = env.journal.executions();
  const aborted = executions.filter((e) => e.aborts.length > 0).length;
  const leaseLost = env.journal.leaseLost().length;
  const states = tasks
    .map((t) => `${t.slug}:${t.failed ? 'failed' : t.paused ? 'paused' : 'scheduled'}`)
    .join(' ');
  process.stderr.write(
    `[fault]   end: ${executions.length} execution(s), ${aborted} aborted, ${leaseLost} lease-lost event(s), ` +
      `${env.model.faults.length} fault(s), ${env.model.incarnations.size} incarnation(s); store: ${states || 'empty'}\n`,
  );
}

/** Plays the operations in order, letting the system settle after each. */
export async function runCommands(env: FaultEnv, commands: readonly FaultCommand[]): Promise<void> {
  if (DEBUG) process.stderr.write(`[fault] run of ${commands.length} operation(s) on ${env.label}\n`);
  for (const command of commands) {
    if (DEBUG) process.stderr.write(`[fault]   ${describeCommand(command)}\n`);
    await applyCommand(env, command);
    await env.settle();
  }
}
