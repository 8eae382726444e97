/**
 * The console in a real browser (Debian's Chromium through playwright-core) on the PostgreSQL store:
 * see the tasks, pause one, run one now and watch its history grow, retry a failed one, reschedule
 * one, delete one, page through 10,000 tasks, and check every view with axe-core. One browser for
 * the whole file; every wait is for a DOM state, never for a duration. The page's Content-Security-
 * Policy stays on throughout, and any violation fails the test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { Page } from 'playwright-core';

import { silentLogger } from '../../lib/core/logger.js';
import { PostgresStore } from '../../lib/stores/postgres/index.js';
import { launchChromium, type ChromiumSession } from '../../scripts/chromium.js';
import { waitUntil } from '../nest/nest-test-helpers.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { startConsoleApp, type ConsoleApp } from './console-app.js';

const db = usePostgresDatabase();
const BULK = 10_000;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe('the console in Chromium, on PostgreSQL', () => {
  let app: ConsoleApp;
  let store: PostgresStore;
  let browser: ChromiumSession;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    store = new PostgresStore({ connectionString: db.url, poolConfig: { max: 4 }, logger: silentLogger });
    app = await startConsoleApp({ store, console: { refreshMs: 1000, pageSize: 50 } });
    base = `${app.url}/scheduler`;
    const { scheduler } = app;
    for (const slug of ['invoice-1', 'invoice-2', 'doomed-1']) {
      await scheduler.scheduleJob(slug, 'work', { delay: 3_600_000, payload: { slug } });
    }
    await scheduler.scheduleJob('broken-1', 'flaky');
    await waitUntil(async () => (await scheduler.getScheduledJob('broken-1')).state === 'failed');
    // Tasks of a kind no instance registers: orphaned, as after a deploy that removed its handler.
    await db.query(
      `INSERT INTO public.scheduler_tasks (slug, kind, payload, run_at)
       SELECT 'bulk-' || lpad(g::text, 5, '0'), 'bulk', '{}'::json, now() + interval '1 day'
       FROM generate_series(1, $1) AS g`,
      [BULK],
    );
    browser = await launchChromium({ extraHTTPHeaders: { 'x-admin': 'yes' } });
    page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  afterEach(() => {
    // A CSP violation or a script error on any page fails the test that caused it.
    expect(problems.splice(0)).toEqual([]);
  });

  /** Clicks an action button, confirms in the page's dialog, and waits for the status line. */
  async function confirmAction(button: string): Promise<void> {
    await page.click(button);
    await page.waitForSelector('dialog#confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('#flash:not(:empty)');
  }

  it('shows the overview: counts per kind, the orphaned kind, the live instance', async () => {
    await page.goto(base);
    const bulk = page.locator('tr[data-kind="bulk"]');
    await bulk.waitFor();
    expect(await bulk.getAttribute('data-orphaned')).toBe('true');
    expect(await bulk.locator('td').first().textContent()).toContain(String(BULK));
    expect(await page.locator('tr[data-kind="flaky"] td').nth(2).textContent()).toContain('1');
    expect(await page.locator('main').textContent()).toContain('1 live instance shares');
  });

  it('pauses a task and shows its new state', async () => {
    await page.goto(`${base}/tasks?slugPrefix=invoice-`);
    const row = page.locator('tr[data-slug="invoice-1"]');
    expect(await row.getAttribute('data-state')).toBe('scheduled');
    await confirmAction('tr[data-slug="invoice-1"] button[data-action="pause"]');
    await page.waitForSelector('tr[data-slug="invoice-1"][data-state="paused"]');
    expect(await page.textContent('#flash')).toBe('Paused “invoice-1”.');
    expect((await app.scheduler.getScheduledJob('invoice-1')).state).toBe('paused');
  });

  it('runs a recurring task now and watches its history grow', async () => {
    await page.goto(`${base}/tasks/report`);
    expect(await page.locator('ol.timeline li.run').count()).toBe(0);
    await confirmAction('button[data-action="run"]');
    // The page refreshes itself: the run appears when it has happened.
    await page.waitForSelector('ol.timeline li.run[data-outcome="succeeded"]');
    expect(await page.getAttribute('div.task', 'data-state')).toBe('scheduled');
  });

  it('retries a failed task from the failed view', async () => {
    await page.goto(`${base}/failed`);
    await page.waitForSelector('tr[data-slug="broken-1"][data-state="failed"]');
    await confirmAction('tr[data-slug="broken-1"] button[data-action="retry"]');
    expect(await page.textContent('#flash')).toBe('Retrying “broken-1”.');
    await page.goto(`${base}/tasks/broken-1`);
    // It fails again (the job always does): a second execution in its timeline.
    await page.locator('ol.timeline li.run[data-outcome="failed"]').nth(1).waitFor();
  });

  it('reschedules a task with a cron schedule from its page', async () => {
    await page.goto(`${base}/tasks/invoice-2`);
    await page.fill('form.reschedule input[name="cron"]', '0 9 * * 1-5');
    await page.fill('form.reschedule input[name="timeZone"]', 'Europe/Lisbon');
    await page.click('form.reschedule button[type="submit"]');
    await page.waitForSelector('dialog#confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('text=At 09:00, Monday through Friday (Europe/Lisbon)');
    expect(await page.locator('ol.fires li').count()).toBe(5);
  });

  it('deletes a task', async () => {
    await page.goto(`${base}/tasks?slugPrefix=doomed-`);
    await confirmAction('tr[data-slug="doomed-1"] button[data-action="delete"]');
    await page.waitForSelector('tr[data-slug="doomed-1"]', { state: 'detached' });
    expect(await page.textContent('main')).toContain('No task matches.');
  });

  it(`pages through ${BULK.toLocaleString('en')} tasks`, async () => {
    await page.goto(`${base}/tasks?slugPrefix=bulk-&limit=1000`);
    const seen: string[] = [];
    for (let pages = 1; ; pages += 1) {
      expect(pages).toBeLessThanOrEqual(BULK / 1000);
      const slugs = await page.$$eval('tr[data-slug]', (rows) =>
        rows.map((row) => row.getAttribute('data-slug') as string),
      );
      expect(slugs).toHaveLength(1000);
      seen.push(...slugs);
      const next = page.locator('a[rel="next"]');
      if ((await next.count()) === 0) break;
      const cursor = slugs[slugs.length - 1];
      await next.click();
      await page.waitForURL((url) => url.searchParams.get('cursor') === cursor);
    }
    expect(seen).toHaveLength(BULK);
    expect(new Set(seen).size).toBe(BULK);
    expect(seen).toEqual([...seen].sort());
    expect(await page.locator('tr[data-slug="bulk-00001"]').count()).toBe(0);
  });

  it('has no accessibility violations on any view (axe-core)', async () => {
    const views = ['', '/tasks', '/tasks/report', '/tasks/broken-1', '/failed', '/instances'];
    for (const view of views) {
      await page.goto(`${base}${view}`);
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
          .axe;
        const result = await axe.run();
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 3),
        }));
      });
      expect([view, violations]).toEqual([view, []]);
    }
  });
});
