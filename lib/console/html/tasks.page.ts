import type { JobState } from '../../core/job.js';
import type { ConsoleTaskPage } from '../console.service.js';
import type { TaskListQuery } from '../inputs.js';
import type { ConsoleTask } from '../task-view.js';
import { html, type SafeHtml } from './html.js';
import { href, readAtLine, taskHref, type PageContext } from './layout.js';
import { clipped, nextRunCell, orphanBadge, stateBadge, taskActions } from './widgets.js';

const STATES: readonly JobState[] = ['scheduled', 'running', 'failed', 'paused'];
const PAGE_SIZES = [25, 50, 100, 500, 1000];

/** Which list a tasks page shows: every task (filterable), or the failed ones. */
export interface TaskListView {
  path: '/tasks' | '/failed';
  heading: string;
}

/** A page of the task table: filters, rows (`data-slug`, `data-state`), and the next page's link. */
export function tasksMain(
  ctx: PageContext,
  view: TaskListView,
  query: TaskListQuery,
  page: ConsoleTaskPage,
  defaultLimit: number,
): SafeHtml {
  const failedOnly = view.path === '/failed';
  const filters = {
    kind: query.kind,
    state: failedOnly ? undefined : query.state,
    slugPrefix: query.slugPrefix,
    limit: query.limit === defaultLimit ? undefined : String(query.limit),
  };
  const sizes = PAGE_SIZES.includes(query.limit)
    ? PAGE_SIZES
    : [...PAGE_SIZES, query.limit].sort((a, b) => a - b);
  return html`<h1>${view.heading}</h1>
    <form
      class="filters"
      method="get"
      action="${href(ctx, view.path)}"
      role="search"
      aria-label="Filter tasks"
    >
      <label>Kind <input name="kind" value="${query.kind ?? ''}" autocomplete="off" /></label>
      ${
        failedOnly
          ? ''
          : html`<label
              >State
              <select name="state">
                <option value="">any</option>
                ${STATES.map(
                  (state) =>
                    html`<option value="${state}" ${query.state === state ? html`selected` : ''}>
                      ${state}
                    </option>`,
                )}
              </select></label
            >`
      }
      <label
        >Slug starts with <input name="slugPrefix" value="${query.slugPrefix ?? ''}" autocomplete="off"
      /></label>
      <label
        >Per page
        <select name="limit">
          ${sizes.map(
            (size) =>
              html`<option value="${size}" ${size === query.limit ? html`selected` : ''}>${size}</option>`,
          )}
        </select></label
      >
      <button type="submit">Show</button>
      ${query.kind || query.slugPrefix || (!failedOnly && query.state) ? html`<a href="${href(ctx, view.path)}">Clear filters</a>` : ''}
    </form>
    ${
      page.items.length === 0
        ? html`<p class="empty">
            ${query.cursor ? 'No more tasks.' : failedOnly ? 'No failed task.' : 'No task matches.'}
          </p>`
        : html`<div class="table-wrap">
            <table class="grid tasks">
              <caption class="visually-hidden">
                ${view.heading}: ${page.items.length} on this
                page${page.nextCursor ? ', more on the next' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">State</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Last result or error</th>
                  <th scope="col" class="num">Retries</th>
                  ${ctx.readOnly ? '' : html`<th scope="col">Actions</th>`}
                </tr>
              </thead>
              <tbody>
                ${page.items.map((task) => taskRow(ctx, task))}
              </tbody>
            </table>
          </div>`
    }
    <nav class="pager" aria-label="Pages">
      ${query.cursor ? html`<a href="${href(ctx, view.path, filters)}">First page</a>` : ''}
      ${page.nextCursor ? html`<a rel="next" href="${href(ctx, view.path, { ...filters, cursor: page.nextCursor })}">Next page</a>` : ''}
    </nav>
    ${readAtLine(ctx, ctx.now)}`;
}

function taskRow(ctx: PageContext, task: ConsoleTask): SafeHtml {
  return html`<tr
    data-slug="${task.slug}"
    data-state="${task.state}"
    data-orphaned="${String(task.orphaned)}"
  >
    <th scope="row"><a href="${taskHref(ctx, task.slug)}">${task.slug}</a></th>
    <td>${stateBadge(task.state)}${orphanBadge(task.orphaned)}</td>
    <td class="kind">${task.kind}</td>
    <td>${nextRunCell(task, ctx.now)}</td>
    <td>${task.scheduleText}</td>
    <td class="${task.failed ? 'result alert' : 'result'}">${clipped(task.result)}</td>
    <td class="num">${task.retry}</td>
    ${ctx.readOnly ? '' : html`<td class="actions">${taskActions(ctx, task)}</td>`}
  </tr>`;
}
