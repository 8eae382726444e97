/**
 * The command line's operator commands, the same on every store: one suite, run by the PostgreSQL
 * and the Firestore spec files against the built `bin` in a child process.
 */
import type { ScheduledJob } from '../../lib/core/job.js';
import type { HistoryRecord, InstanceRecord, JobStore, KindCounts } from '../../lib/core/store/job-store.js';
import { cli, cliJson } from './cli-process.js';

/** What a store's spec file hands the suite: the store (to seed and check) and its command-line options. */
export interface CliHarness {
  store: JobStore;
  /** `--url …` or `--project … --collection …`. */
  storeArgs: string[];
  /** Extra environment of the command (say, `DATABASE_URL` instead of `--url`). */
  env?: Record<string, string>;
  /**
   * Also check the tables printed for people (default true). They come from the same code whatever
   * the store, so one store's file checks them; every command still runs on each store in JSON.
   */
  checkTables?: boolean;
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;
const later = (): Date => new Date(Date.now() + HOUR);
const earlier = (): Date => new Date(Date.now() - HOUR);

/**
 * Tasks in every state, each action of the suite on tasks of its own: scheduled (`mail-1`, `mail-2`,
 * `gone`, `batch-*`), failed (`mail-bad`, with a history record), recurring (`report`), running
 * (`busy`), and one live instance.
 */
async function seed(store: JobStore): Promise<void> {
  for (const slug of ['mail-1', 'mail-2']) {
    await store.create({
      slug,
      kind: 'mail',
      payload: { to: `${slug}@example.com` },
      runAt: later(),
      schedule: null,
    });
  }
  await store.create({ slug: 'gone', kind: 'misc', payload: null, runAt: later(), schedule: null });
  for (const slug of ['batch-1', 'batch-2']) {
    await store.create({ slug, kind: 'batch', payload: null, runAt: later(), schedule: null });
  }
  await store.create({
    slug: 'report',
    kind: 'report',
    payload: Buffer.from('monthly'),
    runAt: later(),
    schedule: { type: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
  });
  const due = earlier();
  await store.create({
    slug: 'mail-bad',
    kind: 'mail',
    payload: { to: 'nobody' },
    runAt: due,
    schedule: null,
  });
  const [bad] = await store.claim({ kinds: ['mail'], owner: 'worker-1', leaseMs: 60_000, limit: 1 });
  await store.settle('worker-1', [
    {
      type: 'reschedule',
      slug: 'mail-bad',
      version: bad!.version,
      runAt: due,
      retry: 3,
      result: 'SMTP said no',
      failed: true,
    },
  ]);
  await store.appendHistory([
    {
      slug: 'mail-bad',
      kind: 'mail',
      scheduledAt: due,
      startedAt: due,
      finishedAt: new Date(due.getTime() + 1500),
      outcome: 'failed',
      error: 'SMTP said no',
      attempt: 4,
      instanceId: 'worker-1',
    },
  ]);
  await store.create({ slug: 'busy', kind: 'busy', payload: null, runAt: earlier(), schedule: null });
  await store.claim({ kinds: ['busy'], owner: 'worker-1', leaseMs: HOUR, limit: 1 });
  await store.recordInstance({
    instanceId: 'worker-1',
    hostname: 'host-a',
    pid: 4242,
    startedAt: earlier(),
    kinds: ['mail', 'busy'],
    inFlight: 1,
    health: { running: true, lastPollAt: new Date(), lastStoreError: null, consecutiveStoreErrors: 0 },
  });
}

export function describeCliSuite(name: string, makeHarness: () => Promise<CliHarness>): void {
  describe(`the command line on ${name}`, () => {
    let harness: CliHarness;
    const run = (...args: string[]) => cli([...args, ...harness.storeArgs], harness.env);
    const runJson = <T>(...args: string[]) => cliJson<T>([...args, ...harness.storeArgs], harness.env);
    const stored = (slug: string) => harness.store.get(slug);
    const tables = () => harness.checkTables !== false;

    beforeAll(async () => {
      harness = await makeHarness();
      await seed(harness.store);
    });

    afterAll(async () => {
      await harness?.cleanup();
    });

    it('status: tasks per kind and state, and the live instances', async () => {
      const status = await runJson<{ kinds: KindCounts[]; instances: InstanceRecord[] }>('status');
      expect(status.kinds).toEqual([
        { kind: 'batch', scheduled: 2, running: 0, failed: 0, paused: 0 },
        { kind: 'busy', scheduled: 0, running: 1, failed: 0, paused: 0 },
        { kind: 'mail', scheduled: 2, running: 0, failed: 1, paused: 0 },
        { kind: 'misc', scheduled: 1, running: 0, failed: 0, paused: 0 },
        { kind: 'report', scheduled: 1, running: 0, failed: 0, paused: 0 },
      ]);
      expect(status.instances.map((instance) => [instance.instanceId, instance.kinds])).toEqual([
        ['worker-1', ['mail', 'busy']],
      ]);
      if (!tables()) return;
      const table = await run('status');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^KIND +SCHEDULED +RUNNING +FAILED +PAUSED$/m);
      expect(table.stdout).toMatch(/^mail +2 +0 +1 +0$/m);
      expect(table.stdout).toMatch(/^TOTAL +6 +1 +1 +0$/m);
      expect(table.stdout).toMatch(/^worker-1 +host-a +4242 +1 +ok /m);
    });

    it('list: filters like the admin API, pages with a cursor, table or JSON', async () => {
      const failed = await runJson<{ tasks: ScheduledJob[]; nextCursor: string | null }>(
        'list',
        '--kind',
        'mail',
        '--state',
        'failed',
      );
      expect(failed.tasks.map((task) => [task.slug, task.state, task.retry, task.result])).toEqual([
        ['mail-bad', 'failed', 3, 'SMTP said no'],
      ]);
      expect(failed.nextCursor).toBeNull();
      const prefixed = await runJson<{ tasks: ScheduledJob[] }>('list', '--prefix', 'batch-');
      expect(prefixed.tasks.map((task) => task.slug)).toEqual(['batch-1', 'batch-2']);

      if (tables()) {
        const firstPage = await run('list', '--limit', '2');
        expect(firstPage.code).toBe(0);
        expect(firstPage.stdout.split('\n')[0]).toMatch(
          /^SLUG +KIND +STATE +NEXT RUN +RETRY +SCHEDULE +LAST RESULT$/,
        );
        expect(firstPage.stdout).toMatch(/^batch-1 +batch +scheduled /m);
        expect(firstPage.stderr).toBe('More tasks: add --cursor batch-2\n');
      }
      const all = await runJson<{ tasks: ScheduledJob[]; nextCursor: null }>('list', '--all', '--limit', '2');
      expect(all.tasks.map((task) => task.slug)).toEqual([
        'batch-1',
        'batch-2',
        'busy',
        'gone',
        'mail-1',
        'mail-2',
        'mail-bad',
        'report',
      ]);
      expect(all.nextCursor).toBeNull();
    });

    it('show: every field of a task; a missing one fails with exit code 1', async () => {
      const report = await runJson<Record<string, unknown>>('show', 'report');
      expect(report).toMatchObject({
        slug: 'report',
        kind: 'report',
        state: 'scheduled',
        payload: { type: 'Buffer', base64: Buffer.from('monthly').toString('base64') },
        schedule: { type: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Lisbon' },
      });
      if (tables()) {
        const listing = await run('show', 'report');
        expect(listing.stdout).toMatch(/^schedule +At 09:00, Monday through Friday \(Europe\/Lisbon\)$/m);
        expect(listing.stdout).toMatch(/^payload +<7 bytes> /m);
      }
      const missing = await run('show', 'no-such-task');
      expect(missing).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: No scheduled job has the slug "no-such-task"\n',
      });
    });

    it('history: the last executions of a task', async () => {
      const records = await runJson<HistoryRecord[]>('history', 'mail-bad');
      expect(
        records.map((record) => [record.outcome, record.attempt, record.error, record.instanceId]),
      ).toEqual([['failed', 4, 'SMTP said no', 'worker-1']]);
      expect(await runJson<HistoryRecord[]>('history', 'mail-1')).toEqual([]);
      if (!tables()) return;
      const table = await run('history', 'mail-bad');
      expect(table.stdout).toMatch(/^\S+ +failed +4 +2 s +0 ms +worker-1 +SMTP said no$/m);
      expect((await run('history', 'mail-1')).stdout).toContain('No executions recorded for "mail-1"');
    });

    it('pause and resume: a task, or every task of a kind', async () => {
      expect(await run('pause', 'mail-1')).toMatchObject({ code: 0, stdout: 'Paused "mail-1".\n' });
      expect((await stored('mail-1'))?.paused).toBe(true);
      expect(await run('resume', 'mail-1')).toMatchObject({ code: 0, stdout: 'Resumed "mail-1".\n' });
      expect((await stored('mail-1'))?.paused).toBe(false);

      expect(await run('pause', '--kind', 'batch')).toMatchObject({
        code: 0,
        stdout: 'Paused 2 task(s) of kind "batch".\n',
      });
      expect((await stored('batch-2'))?.paused).toBe(true);
      expect((await run('resume', '--kind', 'batch')).stdout).toBe('Resumed 2 task(s) of kind "batch".\n');
      expect((await stored('batch-2'))?.paused).toBe(false);
      expect((await run('pause', 'no-such-task')).code).toBe(1);
    });

    it('trigger: due now; refused while the task runs', async () => {
      const before = Date.now();
      expect(await run('trigger', 'mail-2')).toMatchObject({ code: 0, stdout: '"mail-2" is due now.\n' });
      expect((await stored('mail-2'))!.runAt.getTime()).toBeLessThan(before + HOUR / 2);
      const running = await run('trigger', 'busy');
      expect(running.code).toBe(1);
      expect(running.stderr).toBe(
        'error: Cannot trigger job "busy" while it runs; try again when the current run ends\n',
      );
    });

    it('retry: runs a failed task again; refuses one that has not failed', async () => {
      const refused = await run('retry', 'gone');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'error: task "gone" has not failed (it is scheduled): retry runs failed tasks only; use trigger to run it now\n',
      );
      expect(await run('retry', 'mail-bad')).toMatchObject({
        code: 0,
        stdout: '"mail-bad" will run again now.\n',
      });
      expect(await stored('mail-bad')).toMatchObject({ failed: false, retry: 0 });
      expect((await run('retry', 'mail-bad')).code).toBe(1);
    });

    it('delete: removes a task; a second delete fails with exit code 1', async () => {
      expect(await run('delete', 'gone')).toMatchObject({ code: 0, stdout: 'Deleted "gone".\n' });
      expect(await stored('gone')).toBeNull();
      expect(await run('delete', 'gone')).toMatchObject({
        code: 1,
        stderr: 'error: No scheduled job has the slug "gone"\n',
      });
    });
  });
}
