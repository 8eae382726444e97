import type { ConsoleOverview } from '../console.service.js';
import { utcTime } from '../format.js';
import type { ConsoleInstance } from '../task-view.js';
import { html, type SafeHtml } from './html.js';
import { readAtLine, type PageContext } from './layout.js';
import { timeCell } from './widgets.js';

/** The instances: who shares the store, which kinds each runs, what it holds, its loop's health. */
export function instancesMain(ctx: PageContext, overview: ConsoleOverview): SafeHtml {
  const live = overview.instances.filter((i) => i.live);
  const lost = overview.instances.filter((i) => !i.live);
  return html`<h1>Instances</h1>
    <p>
      Each running scheduler publishes its record every few seconds and removes it when it stops gracefully;
      one not heard from for 30 seconds has crashed or lost the store, and its leases are taken over when they
      run out.
    </p>
    ${
      live.length === 0
        ? html`<p class="empty">No live instance: nothing runs any task.</p>`
        : instanceTable(ctx, 'live-heading', 'Live', live)
    }
    ${lost.length === 0 ? '' : instanceTable(ctx, 'lost-heading', 'Not heard from lately (last hour)', lost)}
    ${readAtLine(ctx, overview.readAt)}`;
}

function instanceTable(
  ctx: PageContext,
  id: string,
  heading: string,
  instances: ConsoleInstance[],
): SafeHtml {
  return html`<section aria-labelledby="${id}">
    <h2 id="${id}">${heading}</h2>
    <div class="table-wrap">
      <table class="grid instances">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">Host</th>
            <th scope="col" class="num">PID</th>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
            <th scope="col">Kinds</th>
            <th scope="col" class="num">In flight</th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          ${instances.map((i) => row(ctx, i))}
        </tbody>
      </table>
    </div>
  </section>`;
}

function row(ctx: PageContext, instance: ConsoleInstance): SafeHtml {
  const { health } = instance;
  const healthy = instance.live && health.running && health.consecutiveStoreErrors === 0;
  return html`<tr data-instance="${instance.instanceId}" data-live="${String(instance.live)}">
    <th scope="row"><code>${instance.instanceId}</code></th>
    <td>${instance.hostname}</td>
    <td class="num">${instance.pid}</td>
    <td>${timeCell(instance.startedAt, ctx.now)}</td>
    <td>${timeCell(instance.lastSeenAt, ctx.now)}</td>
    <td>
      ${instance.kinds.length === 0 ? html`<span class="muted">none</span>` : instance.kinds.join(', ')}
    </td>
    <td class="num">${instance.inFlight}</td>
    <td>
      ${
        healthy
          ? html`<span class="badge ok">ok</span
              >${health.lastPollAt ? html` <span class="muted">polled ${utcTime(health.lastPollAt)}</span>` : ''}`
          : html`<span class="badge state-failed"
                >${instance.live ? (health.running ? 'store errors' : 'loop stopped') : 'silent'}</span
              >${
                health.consecutiveStoreErrors > 0
                  ? html` ${health.consecutiveStoreErrors} in a row: ${health.lastStoreError ?? ''}`
                  : ''
              }`
      }
    </td>
  </tr>`;
}
