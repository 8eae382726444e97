import { html, type SafeHtml } from './html.js';
import { href, type PageContext } from './layout.js';

/** What a page shows instead of its content when its request cannot be served (unknown task, bad filter). */
export function errorMain(ctx: PageContext, heading: string, message: string): SafeHtml {
  return html`<h1>${heading}</h1>
    <p class="notice alert">${message}</p>
    <p><a href="${href(ctx, '/tasks')}">All tasks</a> · <a href="${href(ctx, '')}">Overview</a></p>`;
}
