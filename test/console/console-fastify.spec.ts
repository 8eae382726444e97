/**
 * The console on Fastify: the same routes, status codes, CSRF check and pages as on Express.
 */
import { CONSOLE_CSP } from '../../lib/console/index.js';
import { ConsoleClient, enc, startConsoleApp, type ConsoleApp } from './console-app.js';

describe('console on Fastify', () => {
  let started: ConsoleApp | undefined;

  afterEach(async () => {
    await started?.close();
    started = undefined;
  });

  it('serves the API and the pages, maps errors, and checks CSRF', async () => {
    started = await startConsoleApp({ adapter: 'fastify' });
    const client = await new ConsoleClient(`${started.url}/scheduler`).login();
    const slug = 'tenant/7 report é';
    await started.scheduler.scheduleJob(slug, 'work', { delay: 3_600_000 });

    const list = await client.get('/api/tasks?kind=work');
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      items: [{ slug, state: 'scheduled', orphaned: false }],
      nextCursor: null,
    });
    expect((await client.get(`/api/tasks/${enc(slug)}`)).json.slug).toBe(slug);
    expect((await client.post(`/api/tasks/${enc(slug)}/pause`)).json.state).toBe('paused');
    expect(
      (await client.post('/api/tasks/report/reschedule', { runAt: '2099-01-01T00:00:00Z' })).json.nextRunTime,
    ).toBe('2099-01-01T00:00:00.000Z');
    expect((await client.delete(`/api/tasks/${enc(slug)}`)).status).toBe(204);

    const missing = await client.get('/api/tasks/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ statusCode: 404, type: 'JobNotFoundError' });
    const bad = await client.get('/api/tasks?state=bogus');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/Invalid state/);
    expect((await client.post('/api/tasks/report/reschedule', { cron: 'nope' })).status).toBe(400);

    const noCsrf = await new ConsoleClient(`${started.url}/scheduler`).post('/api/tasks/report/pause');
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.message).toMatch(/CSRF check failed/);
    expect((await new ConsoleClient(`${started.url}/scheduler`, {}).get('/api/tasks')).status).toBe(403);

    const page = await new ConsoleClient(`${started.url}/scheduler`).get('/tasks');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('set-cookie')).toMatch(
      /^scheduler_console_csrf=[\w-]{43}; Path=\/scheduler; HttpOnly; SameSite=Strict$/,
    );
    expect(page.text).toContain('data-slug="report"');
    const missingPage = await client.get('/tasks/nothing');
    expect(missingPage.status).toBe(404);
    expect(missingPage.text).toContain('<html');
    const script = await client.get('/assets/console.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
