/**
 * The console's JSON API over HTTP (Express, memory store, real time): every route, the one task
 * shape, the answers to bad input, the guard, read-only mode and the CSRF check.
 */
import {
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { of, type Observable } from 'rxjs';
import { SchedulerConsoleModule } from '../../lib/console/index.js';
import { deferred, waitUntil } from '../nest/nest-test-helpers.js';
import {
  ConsoleClient,
  enc,
  HeaderGuard,
  slowGate,
  startConsoleApp,
  type ConsoleApp,
} from './console-app.js';

const TASK_KEYS = [
  'createdAt',
  'failed',
  'kind',
  'lockedBy',
  'lockedUntil',
  'nextRunTime',
  'orphaned',
  'paused',
  'payload',
  'result',
  'retry',
  'schedule',
  'scheduleText',
  'slug',
  'state',
  'updatedAt',
  'version',
];

describe('console API', () => {
  let started: ConsoleApp | undefined;

  afterEach(async () => {
    slowGate.current.resolve();
    await started?.close();
    started = undefined;
  });

  async function boot(
    options: Parameters<typeof startConsoleApp>[0] = {},
  ): Promise<{ c: ConsoleApp; client: ConsoleClient }> {
    started = await startConsoleApp(options);
    return { c: started, client: await new ConsoleClient(`${started.url}/scheduler`).login() };
  }

  describe('reading tasks', () => {
    it('lists tasks as { items, nextCursor } in one task shape, the same as one task, page by page', async () => {
      const { c, client } = await boot();
      for (let i = 0; i < 5; i += 1) {
        await c.scheduler.scheduleJob(`work-${i}`, 'work', { delay: 3_600_000, payload: { i } });
      }
      await c.scheduler.scheduleJob('buffer', 'work', { delay: 3_600_000, payload: Buffer.from('hi') });

      const first = await client.get('/api/tasks?limit=3');
      expect(first.status).toBe(200);
      expect(Object.keys(first.json).sort()).toEqual(['items', 'nextCursor']);
      expect(first.json.items.map((t: { slug: string }) => t.slug)).toEqual(['buffer', 'report', 'work-0']);
      const second = await client.get(`/api/tasks?limit=3&cursor=${enc(first.json.nextCursor)}`);
      expect(second.json.items.map((t: { slug: string }) => t.slug)).toEqual(['work-1', 'work-2', 'work-3']);
      const last = await client.get(`/api/tasks?limit=3&cursor=${enc(second.json.nextCursor)}`);
      expect(last.json).toMatchObject({ items: [{ slug: 'work-4' }], nextCursor: null });

      const listed = second.json.items[0];
      const one = await client.get('/api/tasks/work-1');
      expect(one.status).toBe(200);
      expect(one.json).toEqual(listed);
      expect(Object.keys(one.json).sort()).toEqual(TASK_KEYS);
      expect(one.json).toMatchObject({
        slug: 'work-1',
        kind: 'work',
        state: 'scheduled',
        orphaned: false,
        payload: { i: 1 },
        schedule: null,
        scheduleText: 'Once',
        retry: 0,
      });
      expect((await client.get('/api/tasks/buffer')).json.payload).toEqual({
        type: 'Buffer',
        base64: 'aGk=',
      });
      expect((await client.get('/api/tasks/report')).json).toMatchObject({
        schedule: { type: 'interval', everyMs: 3_600_000 },
        scheduleText: 'Every 1 hour',
      });
    });

    it('filters by kind, state and slug prefix', async () => {
      const { c, client } = await boot();
      await c.scheduler.scheduleJob('acme-1', 'work', { delay: 3_600_000 });
      await c.scheduler.scheduleJob('acme-2', 'work', { delay: 3_600_000, paused: true });
      await c.scheduler.scheduleJob('other-1', 'work', { delay: 3_600_000 });
      const slugs = async (query: string) =>
        ((await client.get(`/api/tasks?${query}`)).json.items as Array<{ slug: string }>).map((t) => t.slug);
      expect(await slugs('slugPrefix=acme-')).toEqual(['acme-1', 'acme-2']);
      expect(await slugs('state=paused')).toEqual(['acme-2']);
      expect(await slugs('kind=report')).toEqual(['report']);
      expect(await slugs('kind=work&state=scheduled&slugPrefix=acme')).toEqual(['acme-1']);
    });

    it('reads slugs of any text: slashes, spaces, quotes, non-ASCII', async () => {
      const { c, client } = await boot();
      const slug = 'tenant/42 "report" é?#%';
      await c.scheduler.scheduleJob(slug, 'work', { delay: 3_600_000 });
      expect((await client.get(`/api/tasks/${enc(slug)}`)).json.slug).toBe(slug);
      expect((await client.post(`/api/tasks/${enc(slug)}/pause`)).json).toMatchObject({
        slug,
        state: 'paused',
      });
      expect((await client.get(`/api/tasks/${enc(slug)}/history`)).status).toBe(200);
    });

    it('answers every bad input with a 400 that names it, an unknown slug with a 404, never a 500', async () => {
      const { client } = await boot();
      const bad: Array<[string, RegExp]> = [
        ['/api/tasks?state=bogus', /Invalid state: must be one of scheduled, running, failed, paused/],
        ['/api/tasks?limit=0', /Invalid limit: must be a whole number from 1 to 1000/],
        ['/api/tasks?limit=1001', /limit/],
        ['/api/tasks?limit=ten', /limit/],
        ['/api/tasks?limit=1.5', /limit/],
        ['/api/tasks?kind=', /Invalid kind: must not be empty/],
        ['/api/tasks?kind=a&kind=b', /Invalid kind: must be given once/],
        ['/api/tasks?kind=a%00b', /Invalid kind: contains a NUL/],
        ['/api/tasks?slugPrefix=a%00', /Invalid slugPrefix: contains a NUL/],
        ['/api/tasks?cursor=a%00', /Invalid cursor: contains a NUL/],
        ['/api/tasks?stat=failed', /unknown parameter "stat"/],
        ['/api/tasks/report?x=1', /unknown parameter "x"/],
        ['/api/tasks/a%00b', /Invalid slug: contains a NUL/],
        ['/api/tasks/report/history?limit=0', /limit/],
        ['/api/tasks/report/history?cursor=x', /unknown parameter "cursor"/],
        ['/api/kinds?x=1', /unknown parameter/],
        ['/api/instances?x=1', /unknown parameter/],
        ['/api/csrf?x=1', /unknown parameter/],
      ];
      for (const [path, message] of bad) {
        const answer = await client.get(path);
        expect([path, answer.status]).toEqual([path, 400]);
        expect(answer.json).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          type: 'InvalidArgumentError',
        });
        expect(answer.json.message).toMatch(message);
      }
      const unknown = await client.get('/api/tasks/no-such-task');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ statusCode: 404, type: 'JobNotFoundError' });
      // A malformed escape never reaches the console: the HTTP layer refuses it, not with a 500.
      expect((await client.get('/api/tasks/%E0%A4%A')).status).toBe(400);
    });
  });

  describe('history, kinds and instances', () => {
    it('shows runs, failures and who runs each kind; flags a kind no live instance registers as orphaned', async () => {
      const { c, client } = await boot();
      await c.scheduler.scheduleJob('done-1', 'work');
      await c.scheduler.scheduleJob('broken-1', 'flaky');
      await c.scheduler.scheduleJob('ghost-1', 'removed-kind', { delay: 3_600_000 });
      await waitUntil(async () => (await client.get('/api/tasks/broken-1')).json.state === 'failed');
      await waitUntil(async () => (await client.get('/api/tasks/done-1')).status === 404);

      const history = await client.get('/api/tasks/broken-1/history');
      expect(history.json.historyEnabled).toBe(true);
      expect(history.json.items).toEqual([
        expect.objectContaining({
          slug: 'broken-1',
          kind: 'flaky',
          outcome: 'failed',
          error: 'upstream said no',
          attempt: 1,
          instanceId: c.scheduler.instanceId,
          durationMs: expect.any(Number),
          lateMs: expect.any(Number),
        }),
      ]);
      // History outlives its task.
      expect((await client.get('/api/tasks/done-1/history')).json.items).toHaveLength(1);

      const kinds = await client.get('/api/kinds');
      expect(kinds.json.historyEnabled).toBe(true);
      const byKind = Object.fromEntries(
        (kinds.json.items as Array<{ kind: string }>).map((k) => [k.kind, k]),
      );
      expect(byKind.flaky).toEqual({
        kind: 'flaky',
        scheduled: 0,
        running: 0,
        failed: 1,
        paused: 0,
        runs: 1,
        failures: 1,
        instances: 1,
        orphaned: false,
      });
      expect(byKind.work).toMatchObject({ runs: 1, failures: 0, scheduled: 0 });
      expect(byKind['removed-kind']).toMatchObject({ scheduled: 1, instances: 0, orphaned: true });
      expect((await client.get('/api/tasks/ghost-1')).json.orphaned).toBe(true);
      expect((await client.get('/api/tasks?slugPrefix=ghost')).json.items[0].orphaned).toBe(true);

      const instances = await client.get('/api/instances');
      expect(instances.json.items).toEqual([
        expect.objectContaining({
          instanceId: c.scheduler.instanceId,
          live: true,
          pid: process.pid,
          kinds: ['flaky', 'report', 'slow', 'work'],
          inFlight: 0,
          health: expect.objectContaining({ running: true, consecutiveStoreErrors: 0 }),
        }),
      ]);
    });

    it('says when this app keeps no history', async () => {
      const { client } = await boot({ scheduler: { history: undefined } });
      expect((await client.get('/api/kinds')).json.historyEnabled).toBe(false);
      expect((await client.get('/api/tasks/report/history')).json).toEqual({
        items: [],
        historyEnabled: false,
      });
    });
  });

  describe('actions', () => {
    it('pauses and resumes a task and a kind, runs one now, and deletes one', async () => {
      const { c, client } = await boot();
      await c.scheduler.scheduleJob('later-1', 'work', { delay: 3_600_000 });
      await c.scheduler.scheduleJob('later-2', 'work', { delay: 3_600_000 });

      expect((await client.post('/api/tasks/later-1/pause')).json).toMatchObject({
        state: 'paused',
        paused: true,
      });
      expect((await client.post('/api/tasks/later-1/resume')).json).toMatchObject({ state: 'scheduled' });
      expect((await client.post('/api/kinds/work/pause')).json).toEqual({ kind: 'work', changed: 2 });
      expect(
        (await client.get('/api/kinds')).json.items.find((k: { kind: string }) => k.kind === 'work'),
      ).toMatchObject({
        paused: 2,
        scheduled: 0,
      });
      expect((await client.post('/api/kinds/work/resume')).json).toEqual({ kind: 'work', changed: 2 });

      const ran = await client.post('/api/tasks/later-1/run');
      expect(ran.status).toBe(200);
      await waitUntil(async () => (await client.get('/api/tasks/later-1/history')).json.items.length === 1);
      expect((await client.get('/api/tasks/later-1')).status).toBe(404); // one-time: done and gone

      const deleted = await client.delete('/api/tasks/later-2');
      expect(deleted.status).toBe(204);
      expect((await client.get('/api/tasks/later-2')).status).toBe(404);
      expect((await client.delete('/api/tasks/later-2')).status).toBe(404);
      for (const action of ['pause', 'resume', 'run', 'retry']) {
        expect([action, (await client.post(`/api/tasks/nothing/${action}`)).status]).toEqual([action, 404]);
      }
    });

    it('retries a failed task, and refuses to retry one that has not failed (409)', async () => {
      const { c, client } = await boot();
      await c.scheduler.scheduleJob('broken-2', 'flaky');
      await waitUntil(async () => (await client.get('/api/tasks/broken-2')).json.state === 'failed');
      const retried = await client.post('/api/tasks/broken-2/retry');
      expect(retried.status).toBe(200);
      await waitUntil(async () => (await client.get('/api/tasks/broken-2/history')).json.items.length === 2);
      await waitUntil(async () => (await client.get('/api/tasks/broken-2')).json.state === 'failed');

      const refused = await client.post('/api/tasks/report/retry');
      expect(refused.status).toBe(409);
      expect(refused.json.message).toMatch(/is scheduled, not failed/);
    });

    it('reschedules to a time or a schedule, and refuses bad bodies with 400', async () => {
      const { client } = await boot();
      const moved = await client.post('/api/tasks/report/reschedule', { runAt: '2099-01-02T03:04:05Z' });
      expect(moved.status).toBe(200);
      expect(moved.json.nextRunTime).toBe('2099-01-02T03:04:05.000Z');
      const cron = await client.post('/api/tasks/report/reschedule', {
        cron: '0 9 * * 1-5',
        timeZone: 'Europe/Lisbon',
      });
      expect(cron.json).toMatchObject({
        schedule: { type: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
        scheduleText: 'At 09:00, Monday through Friday (Europe/Lisbon)',
      });
      expect((await client.post('/api/tasks/report/reschedule', { every: '30s' })).json.scheduleText).toBe(
        'Every 30 seconds',
      );

      const bad: Array<[unknown, RegExp]> = [
        [{}, /give runAt, cron or every/],
        [[], /must be a JSON object/],
        [{ runAt: 'tomorrow' }, /Invalid runAt: must be an ISO 8601 time/],
        [{ runAt: '2030-01-01T00:00:00' }, /Invalid runAt: must be an ISO 8601 time with a zone/],
        [{ runAt: 1234 }, /runAt/],
        [{ cron: 'not a cron' }, /Invalid cron expression/],
        [{ cron: '0 9 * * *', timeZone: 'Mars/Olympus' }, /time zone|timeZone/i],
        [{ cron: '0 9 * * *', every: '1h' }, /cron or every, not both/],
        [{ timeZone: 'UTC' }, /Invalid timeZone: applies only with cron/],
        [{ every: 'soon' }, /duration|every/i],
        [{ every: 0 }, /every|interval|> 0/i],
        [{ runAt: '2099-01-01T00:00:00Z', extra: 1 }, /unknown parameter "extra"/],
      ];
      for (const [body, message] of bad) {
        const answer = await client.post('/api/tasks/report/reschedule', body);
        expect([body, answer.status]).toEqual([body, 400]);
        expect(answer.json.message).toMatch(message);
      }
      const malformed = await client.post('/api/tasks/report/reschedule', '{"runAt":', {});
      expect(malformed.status).toBe(400);
      expect(
        (await client.post('/api/tasks/nothing/reschedule', { runAt: '2099-01-01T00:00:00Z' })).status,
      ).toBe(404);
    });

    it('refuses with 409 to run or reschedule a task while it runs; pausing it is allowed', async () => {
      const { c, client } = await boot();
      slowGate.current = deferred();
      await c.scheduler.scheduleJob('slow-1', 'slow');
      await waitUntil(async () => (await client.get('/api/tasks/slow-1')).json.state === 'running');
      const run = await client.post('/api/tasks/slow-1/run');
      expect(run.status).toBe(409);
      expect(run.json).toMatchObject({ type: 'JobRunningError' });
      expect(
        (await client.post('/api/tasks/slow-1/reschedule', { runAt: '2099-01-01T00:00:00Z' })).status,
      ).toBe(409);
      expect(
        (await client.get('/api/tasks?state=running')).json.items.map((t: { slug: string }) => t.slug),
      ).toEqual(['slow-1']);
      expect((await client.post('/api/tasks/slow-1/pause')).json.state).toBe('running');
      slowGate.current.resolve();
      await waitUntil(async () => (await client.get('/api/tasks/slow-1')).status === 404);
    });
  });

  describe('security', () => {
    it('sends every route through the app guard: pages, assets and API', async () => {
      const { c } = await boot();
      const stranger = new ConsoleClient(`${c.url}/scheduler`, {});
      for (const path of [
        '',
        '/tasks',
        '/tasks/report',
        '/failed',
        '/instances',
        '/assets/console.js',
        '/api/tasks',
        '/api/csrf',
      ]) {
        expect([path, (await stranger.get(path)).status]).toEqual([path, 403]);
      }
      expect((await stranger.post('/api/tasks/report/pause')).status).toBe(403);
      expect((await stranger.delete('/api/tasks/report')).status).toBe(403);
      expect((await c.scheduler.getScheduledJob('report')).paused).toBe(false);
    });

    it('takes a guard class with dependencies from its imports, an observable verdict, and lets its own exceptions through', async () => {
      @Injectable()
      class Secret {
        readonly value = 'let-me-in';
      }
      @Module({ providers: [Secret], exports: [Secret] })
      class SecretModule {}
      @Injectable()
      class TokenGuard implements CanActivate {
        constructor(@Inject(Secret) private readonly secret: Secret) {}
        canActivate(context: ExecutionContext): Observable<boolean> {
          const { headers } = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
          if (headers.authorization === undefined) throw new UnauthorizedException('who are you?');
          return of(headers.authorization === `Bearer ${this.secret.value}`);
        }
      }
      started = await startConsoleApp({
        consoleModule: SchedulerConsoleModule.forRootAsync({
          path: '/ops/console',
          imports: [SecretModule],
          useFactory: () => ({ guard: TokenGuard, cacheMs: 0 }),
        }),
      });
      const base = `${started.url}/ops/console`;
      const anonymous = await new ConsoleClient(base, {}).get('/api/tasks');
      expect(anonymous.status).toBe(401);
      expect(anonymous.json.message).toBe('who are you?');
      expect((await new ConsoleClient(base, { authorization: 'Bearer nope' }).get('/api/tasks')).status).toBe(
        403,
      );
      const admin = await new ConsoleClient(base, { authorization: 'Bearer let-me-in' }).login();
      expect((await admin.get('/api/tasks')).status).toBe(200);
      expect((await admin.get('')).text).toContain('data-api="/ops/console/api"');
      expect((await admin.post('/api/tasks/report/pause')).json.state).toBe('paused');
    });

    it('refuses state changes without the CSRF token, with a wrong one, or from another site', async () => {
      const { c, client } = await boot();
      const noToken = new ConsoleClient(`${c.url}/scheduler`);
      const refused = await noToken.post('/api/tasks/report/pause');
      expect(refused.status).toBe(403);
      expect(refused.json.message).toMatch(/CSRF check failed: .*x-csrf-token.*GET \/scheduler\/api\/csrf/);
      expect(
        (await noToken.post('/api/tasks/report/pause', undefined, { 'x-csrf-token': 'x'.repeat(43) })).status,
      ).toBe(403);
      expect(
        (await client.post('/api/tasks/report/pause', undefined, { 'x-csrf-token': 'y'.repeat(43) })).status,
      ).toBe(403);
      const crossSite = await client.post('/api/tasks/report/pause', undefined, {
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.status).toBe(403);
      expect(crossSite.json.message).toMatch(/another site/);
      expect((await client.delete('/api/tasks/report', { 'x-csrf-token': '' })).status).toBe(403);
      expect((await c.scheduler.getScheduledJob('report')).paused).toBe(false);

      const sameSite = await client.post('/api/tasks/report/pause', undefined, {
        'sec-fetch-site': 'same-origin',
      });
      expect(sameSite.status).toBe(200);

      const csrf = await new ConsoleClient(`${c.url}/scheduler`).get('/api/csrf');
      expect(csrf.headers.get('set-cookie')).toMatch(
        /^scheduler_console_csrf=[A-Za-z0-9_-]{43}; Path=\/scheduler; HttpOnly; SameSite=Strict$/,
      );
      expect(csrf.headers.get('cache-control')).toBe('no-store');
    });

    it('read-only: every action is refused with 403 and the pages show none; reads work', async () => {
      const { c, client } = await boot({ console: { readOnly: true } });
      await c.scheduler.scheduleJob('w-1', 'work', { delay: 3_600_000 });
      for (const [method, path] of [
        ['POST', '/api/tasks/w-1/pause'],
        ['POST', '/api/tasks/w-1/run'],
        ['POST', '/api/tasks/w-1/reschedule'],
        ['DELETE', '/api/tasks/w-1'],
        ['POST', '/api/kinds/work/pause'],
      ] as const) {
        const answer = await client.request(
          method,
          path,
          method === 'POST' ? { runAt: '2099-01-01T00:00:00Z' } : undefined,
        );
        expect([path, answer.status]).toEqual([path, 403]);
        expect(answer.json.message).toMatch(/read-only/);
      }
      expect((await client.get('/api/tasks/w-1')).json.state).toBe('scheduled');
      for (const page of ['', '/tasks', '/tasks/w-1', '/failed']) {
        const html = (await client.get(page)).text;
        expect(html).toContain('read-only');
        expect(html).not.toContain('data-action=');
      }
    });

    it('refuses to start without a guard, and says why', async () => {
      const failure = await startConsoleApp({
        consoleModule: SchedulerConsoleModule.forRoot({ path: '/scheduler' }),
      }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).name).toBe('InvalidConsoleOptionError');
      expect((failure as Error).message).toMatch(/no guard is set.*allowUnauthenticated: true/);
      const asyncFailure = await startConsoleApp({
        consoleModule: SchedulerConsoleModule.forRootAsync({ useFactory: () => ({ readOnly: true }) }),
      }).then(
        () => null,
        (error: unknown) => error,
      );
      expect((asyncFailure as Error).message).toMatch(/no guard is set/);
      expect(() => SchedulerConsoleModule.forRoot({ path: '/jobs/:id', guard: new HeaderGuard() })).toThrow(
        /Invalid SchedulerConsoleModule option path/,
      );
      const open = await boot({ console: { guard: undefined, allowUnauthenticated: true } });
      expect((await new ConsoleClient(`${open.c.url}/scheduler`, {}).get('/api/tasks')).status).toBe(200);
    });
  });
});
