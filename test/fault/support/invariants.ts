/**
 * The invariants of issue #9, checked after a fault run against the model (what the operations
 * observed), the journal (what ran, where, when) and the store's final content:
 *
 * - no task lost: an incarnation found absent (or absent at the end) must have been deleted or
 *   replaced, or have finished a run whose outcome removes it;
 * - the final version of every task ran or is visible as scheduled (in the future), paused or
 *   failed, as its behaviour allows, and carries its own incarnation (an old run's outcome must not
 *   overwrite or delete a new version);
 * - nothing ran twice outside the at-least-once window: a second run of one fire, or two runs of one
 *   incarnation at once, needs the first to be attributable (lease lost, timed out, abandoned at
 *   shutdown, or its process killed);
 * - a run of a replaced or deleted version has its signal aborted, and its version never starts
 *   again; a new version starts at attempt 1;
 * - a task whose stored schedule is corrupt ends failed and is not claimed again;
 * - stored results are strings of bounded size.
 * Process deaths, unhandled rejections, leaked slots and stops that do not return are recorded by
 * the environments as they happen (RunModel.violations).
 */
import type { StoreTask } from '../../../lib/core/job.js';
import { describeBehaviour, fateOf, type Fate } from './behaviours.js';
import type { Execution, Journal, Stamp } from './journal.js';
import type { Incarnation, RunModel, RunViolation } from './model.js';

export type RuleId =
  | 'process-died'
  | 'unhandled-rejection'
  | 'stop-bound'
  | 'slot-leak'
  | 'operation-error'
  | 'phantom'
  | 'bad-name'
  | 'lost'
  | 'bad-return'
  | 'timeout-ignored'
  | 'stale-visible'
  | 'stuck'
  | 'unexpected-state'
  | 'bad-result'
  | 'duplicate'
  | 'superseded-ran'
  | 'not-aborted'
  | 'abort-reason'
  | 'retry-inherited'
  | 'corrupt-claimed';

export interface Violation extends RunViolation {
  rule: RuleId;
  inc?: string;
}

export interface CheckSettings {
  leaseMs: number;
  /**
   * Between a claim and the job's start, and between its end and the outcome written, a lease is held
   * with no run going on: this long is allowed each way (0 in-process, where nothing is in between).
   */
  settleWindowMs: number;
  /** How long after a replace/delete a run of the old version may go on before its signal aborts. */
  abortGraceMs: number;
  timeout: { on: boolean; ms: number };
  /** Whether `at` stamps of the model and the jobs are exactly ordered (one process). */
  exactOrder: boolean;
}

export interface EndState {
  tasks: StoreTask[];
  /** What each live instance counted as in flight at the end (`health().inFlight`), and when. */
  inFlight: Array<{ instance: string; count: number; stamp: Stamp }>;
  /** Everything due by then must have run. */
  horizon: Stamp;
  /** When the tasks were read. */
  now: Stamp;
}

/** The largest stored result accepted: the engine caps errors at about 8 KiB. */
export const RESULT_CAP = 16 * 1024;

/** Nothing the operations or the jobs ask for is more than two hours ahead (`later` moves a task one hour). */
const FAR_FUTURE_MS = 2 * 3_600_000;

const ATTRIBUTING_ABORTS = new Set(['lease-lost', 'timeout', 'shutdown']);

interface Context {
  model: RunModel;
  executions: Execution[];
  leaseLost: Array<Stamp & { slug: string; instance: string }>;
  settings: CheckSettings;
}

function execsOf(ctx: Context, inc: Incarnation): Execution[] {
  return ctx.executions.filter((e) => e.inc === inc.id && e.slug === inc.slug);
}

/** The fate that applies: a kind whose own trigger throws makes any outcome possible. */
function effectiveFate(ctx: Context, inc: Incarnation): Fate {
  if (inc.kind === 'custom-trigger') return 'either';
  return fateOf(inc.behaviour, ctx.settings.timeout);
}

/** Whether a finished run of `inc` may have removed its task (a success of a one-time task, a `null`). */
function mayRemove(ctx: Context, inc: Incarnation, execution: Execution): boolean {
  if (!execution.finish) return false;
  if (inc.corrupted && execution.start.at >= inc.corrupted.from.at) return false;
  const fate = effectiveFate(ctx, inc);
  if (fate === 'either') return true;
  if (!execution.finish.ok) return false;
  if (fate === 'remove') return true;
  return fate === 'success' && !inc.recurring;
}

function attributable(ctx: Context, execution: Execution): string | null {
  const abort = execution.aborts.find((a) => ATTRIBUTING_ABORTS.has(a.reason));
  if (abort) return `its signal aborted (${abort.reason})`;
  const lost = ctx.leaseLost.find(
    (event) =>
      event.slug === execution.slug && event.instance === execution.instance && event.at > execution.start.at,
  );
  if (lost) return 'a lease.lost event';
  const killed = ctx.model.killed.get(execution.instance);
  if (killed && killed.at > execution.start.at) return 'its process was killed';
  if (ctx.model.died.has(execution.instance)) return 'its process died (reported on its own)';
  return null;
}

function fmtExec(execution: Execution): string {
  return `${execution.exec} (attempt ${execution.attempt}, scheduled ${execution.scheduledAt})`;
}

function checkLost(ctx: Context, inc: Incarnation, present: boolean, out: Violation[]): void {
  const justified = (beforeAt: number): boolean =>
    execsOf(ctx, inc).some((e) => e.finish !== null && e.finish.at < beforeAt && mayRemove(ctx, inc, e));
  const lost = (when: string): void =>
    void out.push({
      rule: 'lost',
      slug: inc.slug,
      inc: inc.id,
      message:
        `task lost: incarnation ${inc.id} [${describeBehaviour(inc.behaviour)}, kind ${inc.kind}${inc.recurring ? ', recurring' : ''}] ` +
        `was ${when} although it was neither deleted nor replaced and no run of it finished in a way that removes it ` +
        `(runs: ${execsOf(ctx, inc).map(fmtExec).join(', ') || 'none'})`,
    });
  const fate = effectiveFate(ctx, inc);
  const acceptedBadReturn = (beforeAt: number): boolean =>
    fate === 'failure' &&
    inc.behaviour.do !== 'throw' &&
    execsOf(ctx, inc).some((e) => e.finish?.ok === true && e.finish.at < beforeAt);
  const report = (when: string, beforeAt: number): void => {
    if (!acceptedBadReturn(beforeAt)) return lost(when);
    // A hang past the timeout is checked by the timeout rule; a bad return is a failure taken as a success.
    if (inc.behaviour.do === 'hang') return;
    out.push({
      rule: 'bad-return',
      slug: inc.slug,
      inc: inc.id,
      message:
        `a bad return (${describeBehaviour(inc.behaviour)}) was taken as a success: incarnation ${inc.id} ` +
        `(kind ${inc.kind}) was ${when} instead of failing that run (runs: ${execsOf(ctx, inc).map(fmtExec).join(', ')})`,
    });
  };
  for (const span of inc.absentSeen) {
    if (inc.superseded && inc.superseded.span.from.at < span.to.at) continue;
    if (!justified(span.to.at)) {
      const operation = ctx.model.operations.find((op) => op.span === span);
      return report(
        `found absent by "${operation?.text ?? 'an operation'}" (${operation?.outcome ?? 'not found'})`,
        span.to.at,
      );
    }
  }
  if (!present && !inc.superseded && !inc.ambiguous && !justified(Number.POSITIVE_INFINITY)) {
    report('absent from the store at the end', Number.POSITIVE_INFINITY);
  }
}

function checkFinalState(
  ctx: Context,
  inc: Incarnation,
  task: StoreTask,
  end: EndState,
  out: Violation[],
): void {
  const add = (rule: RuleId, message: string): void =>
    void out.push({ rule, slug: inc.slug, inc: inc.id, message });
  const fate = effectiveFate(ctx, inc);
  const execs = execsOf(ctx, inc);
  const leaseLive =
    task.lockedBy !== null && task.lockedUntil !== null && task.lockedUntil.getTime() > end.now.t;
  if (task.result !== null && typeof task.result !== 'string') {
    add('bad-result', `its stored result is a ${typeof task.result} (${String(task.result)}), not a string`);
  } else if (typeof task.result === 'string' && task.result.length > RESULT_CAP) {
    add('bad-result', `its stored result is ${task.result.length} characters long (cap about 8 KiB)`);
  }
  if (task.paused !== inc.paused) {
    add(
      'unexpected-state',
      `it is ${task.paused ? '' : 'not '}paused, but the last successful pause/resume made it ${inc.paused ? 'paused' : 'unpaused'}`,
    );
  }
  if (leaseLive) {
    const running = execs.some(
      (e) =>
        e.instance === task.lockedBy &&
        // Claimed just before the tasks were read but not started yet, or finished with its outcome
        // still being written: both show as a lease with no run, within the settle window.
        (e.start.at < end.now.at || e.start.t < end.now.t + ctx.settings.settleWindowMs) &&
        (e.finish === null || e.finish.t > end.now.t - ctx.settings.settleWindowMs),
    );
    // A recurring task is claimed again and again: across processes a snapshot may catch any instant
    // of that, so there a held recurring task is left to the slot-leak rule and the crash checks.
    const judged = ctx.settings.exactOrder || !inc.recurring;
    if (!running && judged) {
      add(
        'stuck',
        `still held by ${task.lockedBy} until ${task.lockedUntil?.toISOString()} after the run went quiet, with no run of it going on there`,
      );
    }
    return;
  }
  // Its bad schedule is found (and the task failed) when it is claimed: not while it is paused, nor
  // before it is due.
  if (inc.corrupted && !task.failed && !task.paused && task.runAt.getTime() <= end.horizon.t) {
    add(
      'unexpected-state',
      `its schedule was corrupted by hand but it is not failed (runAt ${task.runAt.toISOString()}, result ${JSON.stringify(task.result)})`,
    );
    return;
  }
  // Corrupted and not due yet (a retry pending, say): it fails when it is next claimed. The end of a
  // process run cannot wait for it, as a stored schedule makes the task look recurring to `quiesce`.
  if (inc.corrupted && !task.failed && !task.paused) return;
  if (task.failed) {
    // A clock leap fires every timer due inside it at once (VirtualClock.advanceBy runs them in one
    // go, before any promise callback): a job's own end and its timeout due in the same leap may
    // come out as a timeout. A failure made only of such runs is the leap's doing.
    const leapTimeouts =
      execsOf(ctx, inc).length > 0 &&
      execsOf(ctx, inc).every((e) =>
        e.aborts.some(
          (a) =>
            a.reason === 'timeout' &&
            ctx.model.faults.some(
              (f) =>
                f.target === 'clock' &&
                f.span.from.t <= a.t &&
                a.t <= f.span.to.t &&
                f.span.from.t > e.start.t - 1,
            ),
        ),
      );
    const allowed = inc.corrupted !== null || fate === 'failure' || fate === 'either' || leapTimeouts;
    if (!allowed || (inc.recurring && !inc.corrupted && fate !== 'either')) {
      add(
        'unexpected-state',
        `it is failed (${JSON.stringify(task.result?.slice?.(0, 200))}) but its job succeeds`,
      );
    } else if (execs.length === 0 && !inc.corrupted) {
      add('unexpected-state', 'it is failed but never ran');
    } else if (typeof task.result !== 'string' || task.result.length === 0) {
      add('unexpected-state', 'it is failed without a reason in its result');
    }
    return;
  }
  if (
    inc.recurring &&
    fate === 'failure' &&
    inc.behaviour.do === 'return' &&
    execs.some((e) => e.finish?.ok)
  ) {
    if (typeof task.result !== 'string' || task.result.length === 0) {
      add(
        'bad-return',
        `a bad return (${describeBehaviour(inc.behaviour)}) was taken as a success: the recurring task moved on with no error in its result`,
      );
    }
  }
  if (task.paused) return;
  const runAt = task.runAt.getTime();
  if (!Number.isFinite(runAt)) {
    add('unexpected-state', `its runAt is not a valid time (${String(task.runAt)})`);
  } else if (runAt > end.now.t + FAR_FUTURE_MS) {
    add('unexpected-state', `scheduled at ${task.runAt.toISOString()}, far beyond anything asked for`);
  } else if (runAt <= end.horizon.t) {
    add(
      'stuck',
      `due at ${task.runAt.toISOString()} (before the horizon ${new Date(end.horizon.t).toISOString()}) but still scheduled, not running`,
    );
  } else if (!inc.recurring && !(fate === 'later' || fate === 'either')) {
    add('unexpected-state', `scheduled at ${task.runAt.toISOString()}, later than anything asked for`);
  }
}

function checkRuns(ctx: Context, inc: Incarnation, out: Violation[]): void {
  const add = (rule: RuleId, message: string): void =>
    void out.push({ rule, slug: inc.slug, inc: inc.id, message });
  const execs = execsOf(ctx, inc).sort((a, b) => a.start.at - b.start.at);
  const first = execs[0];
  if (first && first.attempt !== 1) {
    add('retry-inherited', `its first run ${first.exec} was attempt ${first.attempt}, not 1`);
  }
  const redefinedBetween = (fromAt: number, toAt: number): boolean =>
    [...inc.triggers, ...inc.reschedules].some((span) => span.to.at > fromAt && span.from.at < toAt);
  for (let i = 0; i < execs.length; i++) {
    const earlier = execs[i];
    for (let j = i + 1; j < execs.length; j++) {
      const later = execs[j];
      const overlapping = earlier.finish === null || later.start.at < earlier.finish.at;
      const sameFireAfterSuccess =
        !overlapping &&
        earlier.finish?.ok === true &&
        later.scheduledAt === earlier.scheduledAt &&
        fateOf(inc.behaviour, ctx.settings.timeout) !== 'failure' &&
        !redefinedBetween(earlier.start.at, later.start.at);
      if (!overlapping && !sameFireAfterSuccess) continue;
      if (attributable(ctx, earlier)) continue;
      add(
        'duplicate',
        overlapping
          ? `ran twice at once: ${fmtExec(later)} started while ${fmtExec(earlier)} was still running, and nothing says the first lost its lease`
          : `one fire ran twice: ${fmtExec(later)} repeated ${fmtExec(earlier)}, which had succeeded, and nothing says the first lost its lease`,
      );
    }
  }
  const { timeout } = ctx.settings;
  if (timeout.on && inc.behaviour.do === 'hang' && inc.behaviour.ms > timeout.ms) {
    for (const execution of execs) {
      const deadline = execution.start.t + timeout.ms + ctx.settings.abortGraceMs;
      // A clock leap (a process frozen, then resumed) fires every timer that came due inside it at
      // its end: no abort can come sooner than that.
      const leap = ctx.model.faults.find(
        (fault) => fault.target === 'clock' && fault.span.from.t <= deadline && deadline < fault.span.to.t,
      );
      const due = leap ? leap.span.to.t : deadline;
      const aborted = execution.aborts.some((a) => a.t <= due);
      // A run on an instance that was killed ended there.
      const endT =
        execution.finish?.t ?? ctx.model.killed.get(execution.instance)?.t ?? Number.POSITIVE_INFINITY;
      if (!aborted && endT > due) {
        add(
          'timeout-ignored',
          `${fmtExec(execution)} (${describeBehaviour(inc.behaviour)}) ran past its kind's timeoutMs ${timeout.ms} without its signal aborted`,
        );
      }
    }
  }
  if (inc.superseded) {
    const superseded = inc.superseded;
    if (ctx.settings.exactOrder) {
      for (const execution of execs) {
        if (execution.start.at > superseded.span.to.at) {
          add('superseded-ran', `${fmtExec(execution)} started after this version was ${superseded.by}d`);
        }
      }
    }
    for (const execution of execs) {
      if (execution.start.at >= superseded.span.from.at) continue;
      const killed = ctx.model.killed.get(execution.instance);
      if (killed && killed.at < superseded.span.to.at) continue;
      const endAt = execution.finish?.at ?? killed?.at ?? Number.POSITIVE_INFINITY;
      const endT = execution.finish?.t ?? killed?.t ?? Number.POSITIVE_INFINITY;
      if (endAt < superseded.span.from.at) continue;
      const abort = execution.aborts.find((a) => a.at <= endAt);
      if (!abort) {
        // Through the instance running it, the abort is due at once; elsewhere by the next lease
        // renewal, which a fault on that instance (or the database) may delay until it is over.
        const grace = superseded.via === execution.instance ? 0 : ctx.settings.abortGraceMs;
        const faultsOver = ctx.model.faults
          .filter(
            (fault) =>
              (fault.target === execution.instance || fault.target === 'db') &&
              fault.span.from.t < endT &&
              fault.untilT > execution.start.t,
          )
          .reduce((latest, fault) => Math.max(latest, fault.untilT), superseded.span.to.t);
        if (endT > faultsOver + grace) {
          add(
            'not-aborted',
            `${fmtExec(execution)} was running when this version was ${superseded.by}d and went on ` +
              `${execution.finish ? `until it finished ${Math.round(endT - superseded.span.to.t)} ms later` : 'to the end of the run'} without its signal aborted`,
          );
        }
        continue;
      }
      // What the running instance learned first: a delete followed by a new create reaches it as a
      // claim of a new incarnation (replaced); its own timeout may come before either.
      const expected =
        superseded.by === 'replace'
          ? ['replaced', 'lease-lost', 'shutdown']
          : ['deleted', 'replaced', 'lease-lost', 'shutdown'];
      // (Start and abort are stamped by the test process as the worker reports them: a little slack.)
      if (timeout.on && abort.t >= execution.start.t + timeout.ms - 250) expected.push('timeout');
      // Replaced through another instance, then deleted through this one before it learned of the
      // replacement: the delete is what it saw, and the slug is gone (the job may clean up).
      const deletedHereLater = [...ctx.model.incarnations.values()].some(
        (other) =>
          other.slug === inc.slug &&
          other.superseded?.by === 'delete' &&
          other.superseded.via === execution.instance &&
          other.superseded.span.from.at > superseded.span.from.at &&
          other.superseded.span.from.at < abort.at,
      );
      if (superseded.by === 'replace' && deletedHereLater) expected.push('deleted');
      if (!expected.includes(abort.reason)) {
        add(
          'abort-reason',
          `${fmtExec(execution)} was aborted with reason "${abort.reason}" when its version was ${superseded.by}d (expected ${expected.join(' or ')})`,
        );
      }
    }
  }
  if (inc.corrupted) {
    const corruptedAt = inc.corrupted.to.at;
    const after = execs.filter((e) => e.start.at > corruptedAt).length;
    const allowed = 1 + inc.triggers.filter((span) => span.from.at > corruptedAt).length;
    if (after > allowed) {
      add(
        'corrupt-claimed',
        `ran ${after} times after its schedule was corrupted (at most ${allowed} expected)`,
      );
    }
  }
}

/** Every violation of the run, sorted by slug. */
export function checkRun(
  model: RunModel,
  journal: Journal,
  end: EndState,
  settings: CheckSettings,
): Violation[] {
  const ctx: Context = { model, executions: journal.executions(), leaseLost: journal.leaseLost(), settings };
  const out: Violation[] = model.violations.map((v) => ({ ...v, rule: v.rule as RuleId }));
  for (const { instance, count, stamp } of end.inFlight) {
    const running = ctx.executions.filter(
      (e) =>
        e.instance === instance &&
        e.start.at < stamp.at &&
        (e.finish === null || e.finish.t > stamp.t - settings.settleWindowMs),
    ).length;
    if (count > running) {
      out.push({
        rule: 'slot-leak',
        message: `${instance} counted ${count} execution(s) in flight at the end, but only ${running} of its runs were going on: a slot leaked`,
      });
    }
  }
  const bySlug = new Map(end.tasks.map((task) => [task.slug, task]));
  for (const task of end.tasks) {
    const inc = model.current(task.slug);
    const carried = (task.payload as { inc?: unknown } | null)?.inc;
    if (!inc || inc.ambiguous) {
      if (!inc)
        out.push({ rule: 'stale-visible', slug: task.slug, message: `a task nobody created is visible` });
      continue;
    }
    if (inc.superseded || carried !== inc.id) {
      out.push({
        rule: 'stale-visible',
        slug: task.slug,
        inc: typeof carried === 'string' ? carried : undefined,
        message: inc.superseded
          ? `visible although its last incarnation ${inc.id} was ${inc.superseded.by}d (it carries ${String(carried)})`
          : `visible with incarnation ${String(carried)}'s payload, but the current incarnation is ${inc.id}`,
      });
    }
  }
  for (const inc of model.incarnations.values()) {
    const task = bySlug.get(inc.slug);
    const isCurrent = model.current(inc.slug) === inc;
    checkLost(ctx, inc, isCurrent && task !== undefined, out);
    checkRuns(ctx, inc, out);
    if (isCurrent && !inc.superseded && !inc.ambiguous && task) {
      const carried = (task.payload as { inc?: unknown } | null)?.inc;
      if (carried === inc.id) checkFinalState(ctx, inc, task, end, out);
    }
  }
  return out.sort((a, b) => (a.slug ?? '').localeCompare(b.slug ?? ''));
}

/** What ran and what was done to a slug, in order, for a failure report. */
export function timelineOf(model: RunModel, journal: Journal, slug: string, origin: Stamp): string[] {
  const rel = (stamp: Stamp): string => `+${((stamp.t - origin.t) / 1000).toFixed(3)}s`;
  const lines: Array<{ at: number; text: string }> = [];
  for (const op of model.operations) {
    if (op.slug === slug)
      lines.push({ at: op.span.from.at, text: `${rel(op.span.from)} op   ${op.text} -> ${op.outcome}` });
  }
  for (const fault of model.faults) {
    lines.push({
      at: fault.span.from.at,
      text: `${rel(fault.span.from)} FAULT ${fault.text} (hit ${fault.target})`,
    });
  }
  for (const [instance, stamp] of model.killed) {
    lines.push({ at: stamp.at, text: `${rel(stamp)} FAULT ${instance} killed` });
  }
  for (const entry of journal.entries) {
    if (entry.type === 'start' && entry.slug === slug) {
      lines.push({
        at: entry.at,
        text: `${rel(entry)} run  ${entry.exec} start inc=${entry.inc} attempt=${entry.attempt} version=${entry.version} scheduledAt=${rel({ at: 0, t: entry.scheduledAt })}`,
      });
    }
    if (entry.type === 'lease-lost' && entry.slug === slug) {
      lines.push({ at: entry.at, text: `${rel(entry)} event lease.lost on ${entry.instance}` });
    }
  }
  const execs = new Set(
    journal
      .executions()
      .filter((e) => e.slug === slug)
      .map((e) => e.exec),
  );
  for (const entry of journal.entries) {
    if ((entry.type === 'finish' || entry.type === 'abort') && execs.has(entry.exec)) {
      lines.push({
        at: entry.at,
        text:
          entry.type === 'finish'
            ? `${rel(entry)} run  ${entry.exec} ${entry.ok ? 'returned' : 'threw'}`
            : `${rel(entry)} run  ${entry.exec} signal aborted (${entry.reason})`,
      });
    }
  }
  return lines.sort((a, b) => a.at - b.at).map((line) => line.text);
}

/** A failure report: each violation, then the timeline of each slug involved. */
export function formatViolations(
  label: string,
  violations: Violation[],
  model: RunModel,
  journal: Journal,
  origin: Stamp,
): string {
  const parts = [`${label}: ${violations.length} violation(s)`];
  for (const violation of violations) {
    parts.push(
      `  [${violation.rule}] ${violation.slug ?? ''}${violation.inc ? ` (${violation.inc})` : ''}: ${violation.message}`,
    );
  }
  const slugs = [...new Set(violations.flatMap((v) => (v.slug ? [v.slug] : [])))];
  for (const slug of slugs.slice(0, 4)) {
    parts.push(`  timeline of ${slug}:`);
    const lines = timelineOf(model, journal, slug, origin);
    const shown =
      lines.length <= 60
        ? lines
        : [...lines.slice(0, 20), `… ${lines.length - 50} lines …`, ...lines.slice(-30)];
    for (const line of shown) parts.push(`    ${line}`);
  }
  return parts.join('\n');
}
