import { utcTime } from '../format.js';
import { html, type SafeHtml } from './html.js';

/** Where a page is, and what every page needs to render. */
export interface PageContext {
  /** The console's root as the browser sees it (`/scheduler`, or `` at the app's root). */
  root: string;
  title: string;
  csrfToken: string;
  readOnly: boolean;
  refreshMs: number;
  now: Date;
  /** Versioned asset URLs (cached for good by the browser). */
  assets: { js: string; css: string };
}

/** The section of the console a page belongs to (for the navigation). */
export type Section = 'overview' | 'tasks' | 'failed' | 'instances';

const SECTIONS: ReadonlyArray<[Section, string, string]> = [
  ['overview', 'Overview', ''],
  ['tasks', 'Tasks', '/tasks'],
  ['failed', 'Failed', '/failed'],
  ['instances', 'Instances', '/instances'],
];

/** A URL of the console, from its root. */
export function href(ctx: PageContext, path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, value);
  const search = params.toString();
  const base = `${ctx.root}${path}` || '/';
  return search === '' ? base : `${base}?${search}`;
}

/** A task page's URL. */
export function taskHref(ctx: PageContext, slug: string): string {
  return href(ctx, `/tasks/${encodeURIComponent(slug)}`);
}

/**
 * A whole page: the content in `<main>` (which is also what the page's periodic refresh fetches and
 * swaps), the navigation, the status line actions report to, and the confirmation dialog. No inline
 * script or style: the Content-Security-Policy allows only the console's own files.
 */
export function layout(ctx: PageContext, section: Section, heading: string, main: SafeHtml): SafeHtml {
  const nav = SECTIONS.map(
    ([key, label, path]) =>
      html`<li>
        <a href="${href(ctx, path)}" ${key === section ? html`aria-current="page"` : ''}>${label}</a>
      </li>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${heading} · ${ctx.title}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${ctx.assets.css}" />
        <script type="module" src="${ctx.assets.js}"></script>
      </head>
      <body
        data-api="${ctx.root}/api"
        data-csrf="${ctx.csrfToken}"
        data-refresh-ms="${ctx.refreshMs}"
        data-tasks="${href(ctx, '/tasks')}"
      >
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <span class="brand">${ctx.title}</span>
          <nav aria-label="Console">
            <ul>
              ${nav}
            </ul>
          </nav>
          ${ctx.readOnly ? html`<span class="badge read-only">read-only</span>` : ''}
        </header>
        <div id="flash" class="flash" role="status" aria-live="polite"></div>
        <main id="main" tabindex="-1">${main}</main>
        <footer class="bottom">
          ${ctx.refreshMs > 0 ? html`<label><input type="checkbox" id="auto-refresh" checked /> Refresh every ${Math.round(ctx.refreshMs / 100) / 10} s</label>` : ''}
          <noscript>Actions and refreshing need JavaScript; everything else works without it.</noscript>
        </footer>
        <dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
          <form method="dialog">
            <h2 id="confirm-title">Please confirm</h2>
            <p id="confirm-text"></p>
            <div class="dialog-buttons">
              <button type="submit" value="cancel" id="confirm-cancel">Cancel</button>
              <button type="submit" value="ok" id="confirm-ok" class="primary">Confirm</button>
            </div>
          </form>
        </dialog>
      </body>
    </html> `;
}

/** The line that tells when a view was read. */
export function readAtLine(ctx: PageContext, at: Date): SafeHtml {
  return html`<p class="read-at">
    Read at <time datetime="${at.toISOString()}">${utcTime(at)}</time>${
      ctx.refreshMs > 0 ? '' : ' (reload to refresh)'
    }.
  </p>`;
}
