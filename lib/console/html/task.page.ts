import { isCronSpec } from '../../core/schedule/trigger.js';
import { consoleMessages } from '../errors/messages.js';
import { shortDuration, utcTime } from '../format.js';
import { nextFires } from '../schedule-words.js';
import type { ConsoleRun, ConsoleTask } from '../task-view.js';
import { html, type SafeHtml } from './html.js';
import { href, readAtLine, type PageContext } from './layout.js';
import { nextRunCell, orphanBadge, stateBadge, taskActions, timeCell } from './widgets.js';

/** How many upcoming fires the task page lists. */
const UPCOMING = 5;

/** One task: what it is, when it fires next, its actions, and its history as a timeline. */
export function taskMain(
  ctx: PageContext,
  task: ConsoleTask,
  runs: ConsoleRun[],
  historyEnabled: boolean,
): SafeHtml {
  const fires = task.state === 'failed' ? [] : nextFires(task.nextRunTime, task.schedule, UPCOMING);
  return html`<p class="crumbs">
      <a href="${href(ctx, '/tasks')}">Tasks</a> ›
      <a href="${href(ctx, '/tasks', { kind: task.kind })}">${task.kind}</a>
    </p>
    <h1>${task.slug}</h1>
    <div
      class="task"
      data-slug="${task.slug}"
      data-state="${task.state}"
      data-orphaned="${String(task.orphaned)}"
    >
      <dl class="facts">
        <dt>State</dt>
        <dd>
          ${stateBadge(task.state)}${orphanBadge(task.orphaned)}${
            task.orphaned
              ? html` <span class="muted">No live instance registers kind “${task.kind}”.</span>`
              : ''
          }
        </dd>
        <dt>Kind</dt>
        <dd><a href="${href(ctx, '/tasks', { kind: task.kind })}">${task.kind}</a></dd>
        <dt>Schedule</dt>
        <dd>
          ${task.scheduleText}${
            isCronSpec(task.schedule) ? html` <code>${task.schedule.expression}</code>` : ''
          }
        </dd>
        <dt>Next run</dt>
        <dd>
          ${nextRunCell(task, ctx.now)} <span class="muted">${utcTime(task.nextRunTime)}</span>${
            task.paused ? html` <span class="muted">(paused: it waits until resumed)</span>` : ''
          }
        </dd>
        ${
          fires.length > 1
            ? html`<dt>Upcoming fires</dt>
                <dd>
                  <ol class="fires">
                    ${fires.map(
                      (at) => html`<li><time datetime="${at.toISOString()}">${utcTime(at)}</time></li>`,
                    )}
                  </ol>
                </dd>`
            : ''
        }
        <dt>Retries</dt>
        <dd>${task.retry}</dd>
        <dt>Last result</dt>
        <dd>
          ${task.result === null ? html`<span class="muted">none yet</span>` : html`<pre class="${task.failed ? 'alert' : ''}">${task.result}</pre>`}
        </dd>
        <dt>Lease</dt>
        <dd>
          ${
            task.lockedBy === null
              ? html`<span class="muted">none</span>`
              : html`held by
                  <code>${task.lockedBy}</code
                  >${task.lockedUntil ? html` until ${timeCell(task.lockedUntil, ctx.now)}` : ''}`
          }
        </dd>
        <dt>Created</dt>
        <dd>${timeCell(task.createdAt, ctx.now)}</dd>
        <dt>Updated</dt>
        <dd>${timeCell(task.updatedAt, ctx.now)} <span class="muted">(version ${task.version})</span></dd>
      </dl>
      ${ctx.readOnly ? '' : actions(ctx, task)}
      <details class="payload">
        <summary>Payload</summary>
        <pre>${JSON.stringify(task.payload, null, 2)}</pre>
      </details>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        ${historyEnabled ? '' : html`<p class="notice">${consoleMessages.historyOff()}</p>`}
        ${
          runs.length === 0
            ? html`<p class="empty">No execution recorded.</p>`
            : html`<ol class="timeline" aria-label="Executions, newest first">
                ${runs.map((run) => runItem(ctx, run))}
              </ol>`
        }
      </section>
    </div>
    ${readAtLine(ctx, ctx.now)}`;
}

function actions(ctx: PageContext, task: ConsoleTask): SafeHtml {
  return html`<section class="task-actions" aria-labelledby="actions-heading">
    <h2 id="actions-heading">Actions</h2>
    <p>${taskActions(ctx, task)}</p>
    <form class="reschedule" data-action="reschedule" data-slug="${task.slug}">
      <fieldset>
        <legend>Reschedule</legend>
        <label>Next run at (UTC) <input type="datetime-local" name="runAt" step="1" /></label>
        <label
          >or a new schedule (cron) <input name="cron" placeholder="0 9 * * 1-5" autocomplete="off"
        /></label>
        <label>Time zone <input name="timeZone" placeholder="UTC" autocomplete="off" /></label>
        <button type="submit">Reschedule</button>
      </fieldset>
    </form>
  </section>`;
}

function runItem(ctx: PageContext, run: ConsoleRun): SafeHtml {
  return html`<li class="run outcome-${run.outcome}" data-outcome="${run.outcome}">
    <span class="badge outcome-${run.outcome}">${run.outcome}</span>
    ${timeCell(run.finishedAt, ctx.now)} · attempt ${run.attempt} · took
    ${shortDuration(run.durationMs)}${
      run.lateMs >= 1000 ? html` · started ${shortDuration(run.lateMs)} late` : ''
    }
    · on <code>${run.instanceId}</code>
    ${run.error === null ? '' : html`<pre class="alert">${run.error}</pre>`}
  </li>`;
}
