/**
 * The console's pages over HTTP (Express, memory store): what the server renders, its security
 * headers, the main-only answer the page's refresh asks for, error pages, and paths under a global
 * prefix. The browser itself is in console-browser.spec.ts.
 */
import { CONSOLE_CSP } from '../../lib/console/index.js';
import { waitUntil } from '../nest/nest-test-helpers.js';
import { ConsoleClient, enc, startConsoleApp, type ConsoleApp } from './console-app.js';

/** The values of `attribute` on every `element` of a page that has it. */
function attributes(html: string, attribute: string, element = 'tr'): string[] {
  return [...html.matchAll(new RegExp(`<${element}\\s[^>]*${attribute}="([^"]*)"`, 'g'))].map(
    (m) => m[1] as string,
  );
}

describe('console pages', () => {
  let started: ConsoleApp | undefined;

  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  async function boot(options: Parameters<typeof startConsoleApp>[0] = {}) {
    started = await startConsoleApp(options);
    return { c: started, client: new ConsoleClient(`${started.url}/scheduler`) };
  }

  it('serves the overview with a strict CSP, no inline script or style, and the CSRF cookie', async () => {
    const { client } = await boot();
    const page = await client.get('');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('set-cookie')).toMatch(
      /^scheduler_console_csrf=[\w-]{43}; Path=\/scheduler; HttpOnly; SameSite=Strict$/,
    );
    // Every script is a file of the console's own; no inline script, handler or style.
    expect([...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1])).toEqual([
      expect.stringMatching(/ type="module" src="\/scheduler\/assets\/console\.js\?v=[0-9a-f]{12}"/),
    ]);
    expect(page.text).not.toMatch(/<script[^>]*>[^<]+<\/script>/);
    expect(page.text).not.toMatch(/\son[a-z]+=/i);
    expect(page.text).not.toMatch(/<style|\sstyle=/i);
    expect(page.text).not.toMatch(/https?:\/\//); // nothing from another origin
    expect(attributes(page.text, 'data-kind')).toEqual(['flaky', 'report', 'slow', 'work']);

    const [script] = attributes(page.text, 'src', 'script');
    const asset = await client.get((script as string).slice('/scheduler'.length));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.text).toContain("'x-csrf-token'");
    const css = await client.get('/assets/console.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('renders the task table with data-slug and data-state, filters from the form, and a next-page link', async () => {
    const { c, client } = await boot({ console: { pageSize: 2 } });
    for (const slug of ['a-1', 'a-2', 'a-3'])
      await c.scheduler.scheduleJob(slug, 'work', { delay: 3_600_000 });
    await c.scheduler.pauseJob('a-2');

    const first = await client.get('/tasks?kind=work&state=&slugPrefix=a-');
    expect(first.status).toBe(200);
    expect(attributes(first.text, 'data-slug')).toEqual(['a-1', 'a-2']);
    expect(attributes(first.text, 'data-state')).toEqual(['scheduled', 'paused']);
    const next = /<a rel="next" href="([^"]+)"/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBe('/scheduler/tasks?kind=work&slugPrefix=a-&cursor=a-2');
    const second = await client.get((next as string).slice('/scheduler'.length));
    expect(attributes(second.text, 'data-slug')).toEqual(['a-3']);
    expect(second.text).not.toContain('rel="next"');
    expect(second.text).toContain('First page');

    const paused = await client.get('/tasks?state=paused');
    expect(attributes(paused.text, 'data-slug')).toEqual(['a-2']);
    expect(paused.text).toContain('data-action="resume"');
  });

  it('shows a task: schedule in words, upcoming fires, history as a timeline; the failed view lists failed tasks', async () => {
    const { c, client } = await boot();
    await c.scheduler.rescheduleJob('report', {
      trigger: { cron: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
    });
    const report = await client.get('/tasks/report');
    expect(report.text).toContain('At 09:00, Monday through Friday (Europe/Lisbon)');
    expect(report.text.match(/<ol class="fires">([\s\S]*?)<\/ol>/)?.[1]?.match(/<li>/g)).toHaveLength(5);

    await c.scheduler.scheduleJob('broken', 'flaky');
    await waitUntil(async () => (await c.scheduler.getScheduledJob('broken')).state === 'failed');
    const broken = await client.get('/tasks/broken');
    expect(broken.text).toMatch(/<div[^>]*class="task"[^>]*data-slug="broken"[^>]*data-state="failed"/);
    expect(attributes(broken.text, 'data-outcome', 'li')).toEqual(['failed']);
    expect(broken.text).toContain('upstream said no');
    expect(broken.text).toContain('data-action="retry"');

    const failed = await client.get('/failed');
    expect(attributes(failed.text, 'data-slug')).toEqual(['broken']);
    expect(failed.text).not.toContain('name="state"');
  });

  it('answers the refresh with <main> only, and unknown tasks and bad filters with an error page', async () => {
    const { client } = await boot();
    const fragment = await client.get('/tasks', { 'x-console-fragment': 'main' });
    expect(fragment.text.trimStart().startsWith('<h1>Tasks</h1>')).toBe(true);
    expect(fragment.text).not.toContain('<html');

    const missing = await client.get(`/tasks/${enc('no/such task')}`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No scheduled job has the slug &quot;no/such task&quot;');
    expect(missing.text).toContain('<html');
    const bad = await client.get('/tasks?state=bogus');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Invalid state: must be one of');
    expect((await client.get('/tasks?limit=0', { 'x-console-fragment': 'main' })).status).toBe(400);
  });

  it('escapes what tasks hold', async () => {
    const { c, client } = await boot();
    await c.scheduler.scheduleJob('<script>alert(1)</script>', 'work', {
      delay: 3_600_000,
      payload: { html: '<img src=x onerror=alert(1)>' },
    });
    const list = await client.get('/tasks');
    expect(list.text).not.toContain('<script>alert(1)');
    expect(list.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const one = await client.get(`/tasks/${enc('<script>alert(1)</script>')}`);
    expect(one.text).not.toContain('<img src=x');
  });

  it('builds its links under the app’s global prefix', async () => {
    started = await startConsoleApp({ globalPrefix: 'admin' });
    const client = new ConsoleClient(`${started.url}/admin/scheduler`);
    const page = await client.get('/tasks/report');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-api="/admin/scheduler/api"');
    expect(page.text).toContain('href="/admin/scheduler/tasks"');
    expect(page.headers.get('set-cookie')).toContain('Path=/admin/scheduler;');
    const api = await client.login();
    expect((await api.post('/api/tasks/report/pause')).json.state).toBe('paused');
  });
});
