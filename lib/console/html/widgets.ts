import type { JobState } from '../../core/job.js';
import { relativeTime, utcTime } from '../format.js';
import type { ConsoleTask } from '../task-view.js';
import { html, type SafeHtml } from './html.js';
import type { PageContext } from './layout.js';

/** A state as a badge (text, not only colour). */
export function stateBadge(state: JobState): SafeHtml {
  return html`<span class="badge state-${state}">${state}</span>`;
}

/** The "orphaned" badge of a task or kind that no live instance registers. */
export function orphanBadge(orphaned: boolean): SafeHtml | '' {
  return orphaned
    ? html` <span
        class="badge orphaned"
        title="No live instance registers this kind: nothing runs it until one does"
        >orphaned</span
      >`
    : '';
}

/** A time: relative to now, with the exact UTC time on hover and in `datetime`. */
export function timeCell(at: Date, now: Date): SafeHtml {
  return html`<time datetime="${at.toISOString()}" title="${utcTime(at)}">${relativeTime(at, now)}</time>`;
}

/** Overdue by more than this: shown as late (a misfire while no instance runs it, or a busy fleet). */
const LATE_AFTER_MS = 60_000;

/** The next run, with a "late" note for a waiting task long past due. */
export function nextRunCell(task: ConsoleTask, now: Date): SafeHtml {
  if (task.state === 'failed') {
    return html`<span
      class="muted"
      title="Gave up at ${task.nextRunTime.toISOString()}: retry it to run it again"
      >none (failed)</span
    >`;
  }
  const late =
    task.state === 'scheduled' && now.getTime() - task.nextRunTime.getTime() > LATE_AFTER_MS
      ? html` <span
          class="badge late"
          title="Due but not started: no instance free for its kind, or none runs it"
          >late</span
        >`
      : '';
  return html`${timeCell(task.nextRunTime, now)}${late}`;
}

/** What a task may be asked to do in its state. */
export type TaskAction = 'pause' | 'resume' | 'run' | 'retry' | 'delete';

const LABELS: Record<TaskAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  run: 'Run now',
  retry: 'Retry',
  delete: 'Delete',
};

/** The actions that make sense in each state (the API refuses the others with 409 where they conflict). */
export function actionsFor(task: ConsoleTask): TaskAction[] {
  switch (task.state) {
    case 'scheduled':
      return ['pause', 'run', 'delete'];
    case 'paused':
      return ['resume', 'run', 'delete'];
    case 'failed':
      return ['retry', 'pause', 'delete'];
    case 'running':
      return ['pause', 'delete'];
  }
}

/** The question asked before an action. */
export function confirmText(action: TaskAction, task: ConsoleTask): string {
  switch (action) {
    case 'pause':
      return `Pause “${task.slug}”? No instance runs it until it is resumed (a run in progress finishes).`;
    case 'resume':
      return `Resume “${task.slug}”? A recurring task catches up under its misfire policy.`;
    case 'run':
      return task.paused
        ? `Run “${task.slug}” once now? It stays paused: it runs once resumed.`
        : `Run “${task.slug}” once now? A recurring task then carries on with its schedule.`;
    case 'retry':
      return `Retry “${task.slug}” now, from scratch (retry count back to 0)?`;
    case 'delete':
      return `Delete “${task.slug}”? This cannot be undone${task.state === 'running' ? '; the run in progress is aborted on its instance' : ''}.`;
  }
}

/** What the status line says once the action is done. */
function doneText(action: TaskAction, slug: string): string {
  const verbs: Record<TaskAction, string> = {
    pause: 'Paused',
    resume: 'Resumed',
    run: 'Asked to run now:',
    retry: 'Retrying',
    delete: 'Deleted',
  };
  return `${verbs[action]} “${slug}”.`;
}

/** A task's action buttons (none when the console is read-only). */
export function taskActions(ctx: PageContext, task: ConsoleTask): SafeHtml | '' {
  if (ctx.readOnly) return '';
  return html`${actionsFor(task).map(
    (action) =>
      html`<button
        type="button"
        ${action === 'delete' ? html`class="danger"` : ''}
        data-action="${action}"
        data-slug="${task.slug}"
        data-confirm="${confirmText(action, task)}"
        data-done="${doneText(action, task.slug)}"
        aria-label="${LABELS[action]} ${task.slug}"
      >
        ${LABELS[action]}
      </button> `,
  )}`;
}

/** Text cut to `max` characters, with the whole text on hover. */
export function clipped(text: string | null, max = 80): SafeHtml | '' {
  if (text === null || text === '') return '';
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return html`<span title="${text}">${short}</span>`;
}
