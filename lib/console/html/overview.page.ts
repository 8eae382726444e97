import type { ConsoleOverview } from '../console.service.js';
import { consoleMessages } from '../errors/messages.js';
import type { ConsoleKind } from '../task-view.js';
import { html, type SafeHtml } from './html.js';
import { href, readAtLine, type PageContext } from './layout.js';
import { orphanBadge } from './widgets.js';

const STATES = ['scheduled', 'running', 'failed', 'paused'] as const;

/** The overview: per kind, tasks by state, runs and failures in the last hour, who runs it. */
export function overviewMain(ctx: PageContext, overview: ConsoleOverview): SafeHtml {
  const live = overview.instances.filter((i) => i.live);
  const totals = STATES.map((state) => overview.kinds.reduce((sum, k) => sum + k[state], 0));
  return html`<h1>Overview</h1>
    ${overview.historyEnabled ? '' : html`<p class="notice">${consoleMessages.historyOff()}</p>`}
    <section aria-labelledby="kinds-heading">
      <h2 id="kinds-heading">Kinds</h2>
      ${
        overview.kinds.length === 0
          ? html`<p class="empty">No tasks, and no live instance registers a kind.</p>`
          : html`<div class="table-wrap">
              <table class="grid kinds">
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    ${STATES.map((state) => html`<th scope="col" class="num">${state[0]?.toUpperCase()}${state.slice(1)}</th>`)}
                    <th scope="col" class="num">Runs, last hour</th>
                    <th scope="col" class="num">Failures, last hour</th>
                    <th scope="col" class="num">Instances</th>
                    ${ctx.readOnly ? '' : html`<th scope="col">Actions</th>`}
                  </tr>
                </thead>
                <tbody>
                  ${overview.kinds.map((kind) => kindRow(ctx, kind))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">All kinds</th>
                    ${totals.map((n) => html`<td class="num">${n}</td>`)}
                    <td class="num">${overview.kinds.reduce((s, k) => s + k.runs, 0)}</td>
                    <td class="num">${overview.kinds.reduce((s, k) => s + k.failures, 0)}</td>
                    <td></td>
                    ${ctx.readOnly ? '' : html`<td></td>`}
                  </tr>
                </tfoot>
              </table>
            </div>`
      }
    </section>
    <section aria-labelledby="instances-heading">
      <h2 id="instances-heading">Instances</h2>
      <p>
        ${live.length} live instance${live.length === 1 ? ' shares' : 's share'} this
        store${live.length === 0 ? ': nothing runs any task until one starts' : ''}.
        <a href="${href(ctx, '/instances')}">See instances</a>.
      </p>
    </section>
    ${readAtLine(ctx, overview.readAt)}`;
}

function kindRow(ctx: PageContext, kind: ConsoleKind): SafeHtml {
  const tasksOf = (state?: string) => href(ctx, '/tasks', { kind: kind.kind, state });
  return html`<tr data-kind="${kind.kind}" data-orphaned="${String(kind.orphaned)}">
    <th scope="row"><a href="${tasksOf()}">${kind.kind}</a>${orphanBadge(kind.orphaned)}</th>
    ${STATES.map(
      (state) =>
        html`<td class="num${state === 'failed' && kind.failed > 0 ? ' alert' : ''}">
          ${
            kind[state] > 0
              ? html`<a href="${tasksOf(state)}" aria-label="${kind[state]} ${state} ${kind.kind} tasks"
                  >${kind[state]}</a
                >`
              : '0'
          }
        </td>`,
    )}
    <td class="num">${kind.runs}</td>
    <td class="num${kind.failures > 0 ? ' alert' : ''}">${kind.failures}</td>
    <td class="num">${kind.instances}</td>
    ${
      ctx.readOnly
        ? ''
        : html`<td class="actions">
            ${kind.scheduled + kind.failed + kind.running > 0 ? kindAction(kind.kind, 'pause') : ''}
            ${kind.paused > 0 ? kindAction(kind.kind, 'resume') : ''}
          </td>`
    }
  </tr>`;
}

const KIND_ACTIONS = {
  pause: {
    label: 'Pause all',
    confirm: (kind: string) => `Pause every task of kind “${kind}”? Tasks created later are not paused.`,
    done: (kind: string) => `Paused kind “${kind}”.`,
  },
  resume: {
    label: 'Resume all',
    confirm: (kind: string) => `Resume every paused task of kind “${kind}”?`,
    done: (kind: string) => `Resumed kind “${kind}”.`,
  },
} as const;

/** Pauses or resumes every task of a kind, after confirmation. */
function kindAction(kind: string, action: keyof typeof KIND_ACTIONS): SafeHtml {
  const { label, confirm, done } = KIND_ACTIONS[action];
  return html`<button
    type="button"
    data-action="${action}-kind"
    data-kind="${kind}"
    data-confirm="${confirm(kind)}"
    data-done="${done(kind)}"
    aria-label="${label} ${kind}"
  >
    ${label}
  </button>`;
}
