import { InvalidArgumentError } from '../../../core/errors/index.js';
import type { StoreTask } from '../../../core/job.js';
import type { HistoryRecord, InstanceInfo, ListQuery } from '../../../core/store/job-store.js';
import {
  claim,
  future,
  KIND,
  newTask,
  OTHER_KIND,
  past,
  PAST_SHORT_LEASE_MS,
  SHORT_LEASE_MS,
  shuffled,
  slugsOf,
} from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** An instance record as a scheduler would publish it. */
function instance(instanceId: string, overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    instanceId,
    hostname: 'host-1',
    pid: 4242,
    startedAt: past(100),
    kinds: [KIND, OTHER_KIND],
    inFlight: 3,
    health: {
      running: true,
      lastPollAt: past(200),
      lastStoreError: null,
      consecutiveStoreErrors: 0,
    },
    ...overrides,
  };
}

/** A record of one execution that finished at `past(finishedAt)`. */
function run(kind: string, finishedAt: number, outcome: HistoryRecord['outcome']): HistoryRecord {
  return {
    slug: `${kind}-task`,
    kind,
    scheduledAt: past(finishedAt - 2),
    startedAt: past(finishedAt - 1),
    finishedAt: past(finishedAt),
    outcome,
    error: outcome === 'succeeded' ? null : 'boom',
    attempt: 1,
    instanceId: 'instance-1',
  };
}

/** What the console reads besides tasks and history: slug prefixes, counts, run stats, instances. */
export function consoleCases(ctx: ContractContext): void {
  const { describe, it, beforeEach, expect } = ctx.t;
  async function listAll(query: Omit<ListQuery, 'cursor'>): Promise<StoreTask[]> {
    const tasks: StoreTask[] = [];
    let cursor: string | null = null;
    for (let pages = 0; ; pages += 1) {
      if (pages > 50) throw new Error('list never returned a null cursor');
      const page = await ctx.store.list({ ...query, cursor });
      expect(page.tasks.length).toBeLessThanOrEqual(query.limit);
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
      if (cursor === null) return tasks;
    }
  }

  describe('list by slug prefix', () => {
    const slugs = ['aa~', 'ab', 'ab-1', 'ab-2', 'ab-3', 'abc', 'ac', 'b', 'f', 'é1', 'éa'];

    beforeEach(async () => {
      for (const slug of shuffled(slugs)) await ctx.store.create(newTask(slug));
    });

    it('returns the slugs that start with the prefix, in order, a page at a time', async () => {
      for (const limit of [1, 2, 10]) {
        expect(slugsOf(await listAll({ slugPrefix: 'ab', limit }))).toEqual([
          'ab',
          'ab-1',
          'ab-2',
          'ab-3',
          'abc',
        ]);
      }
      expect(slugsOf(await listAll({ slugPrefix: 'é', limit: 1 }))).toEqual(['é1', 'éa']);
      expect(slugsOf(await listAll({ slugPrefix: 'ab-', limit: 10 }))).toEqual(['ab-1', 'ab-2', 'ab-3']);
      expect(await ctx.store.list({ slugPrefix: 'zz', limit: 10 })).toEqual({ tasks: [], nextCursor: null });
      expect(slugsOf(await listAll({ slugPrefix: '', limit: 4 }))).toEqual(slugs);
    });

    it('says there is no next page once the prefix is exhausted, even with slugs after it', async () => {
      const page = await ctx.store.list({ slugPrefix: 'ab', limit: 5 });
      expect(slugsOf(page.tasks)).toEqual(['ab', 'ab-1', 'ab-2', 'ab-3', 'abc']);
      expect(page.nextCursor).toBeNull();
    });

    it('starts at the prefix for a cursor before it, continues from a cursor inside it, ends after it', async () => {
      expect(slugsOf((await ctx.store.list({ slugPrefix: 'ab', cursor: 'a', limit: 2 })).tasks)).toEqual([
        'ab',
        'ab-1',
      ]);
      expect(slugsOf((await ctx.store.list({ slugPrefix: 'ab', cursor: 'ab-2', limit: 10 })).tasks)).toEqual([
        'ab-3',
        'abc',
      ]);
      expect((await ctx.store.list({ slugPrefix: 'ab', cursor: 'abc', limit: 10 })).tasks).toEqual([]);
      expect((await ctx.store.list({ slugPrefix: 'ab', cursor: 'b', limit: 10 })).tasks).toEqual([]);
    });

    it('combines with the kind and state filters', async () => {
      await ctx.store.create(newTask('ab-other', { kind: OTHER_KIND }));
      await ctx.store.create(newTask('ab-paused', { paused: true }));
      await ctx.store.create(newTask('ac-paused', { paused: true }));
      expect(slugsOf(await listAll({ slugPrefix: 'ab', kind: OTHER_KIND, limit: 1 }))).toEqual(['ab-other']);
      expect(slugsOf(await listAll({ slugPrefix: 'ab', state: 'paused', limit: 1 }))).toEqual(['ab-paused']);
      expect(slugsOf(await listAll({ slugPrefix: 'ab', state: 'scheduled', kind: KIND, limit: 2 }))).toEqual([
        'ab',
        'ab-1',
        'ab-2',
        'ab-3',
        'abc',
      ]);
    });

    it('handles a prefix of the last code point, which nothing sorts after', async () => {
      const top = '\u{10FFFF}';
      await ctx.store.create(newTask(`${top}a`));
      await ctx.store.create(newTask(top));
      await ctx.store.create(newTask(`z${top}`));
      expect(slugsOf(await listAll({ slugPrefix: top, limit: 1 }))).toEqual([top, `${top}a`]);
      expect(slugsOf(await listAll({ slugPrefix: `z${top}`, limit: 1 }))).toEqual([`z${top}`]);
    });

    it('refuses a prefix holding a NUL, which no slug holds', async () => {
      await expect(ctx.store.list({ slugPrefix: 'a\u0000', limit: 10 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });
  });

  describe('list in the running, paused and failed states', () => {
    it('pages through each state, with kind and prefix filters, whatever the scheduled tasks around', async () => {
      for (let i = 0; i < 12; i += 1) await ctx.store.create(newTask(`s-${String(i).padStart(2, '0')}`));
      for (const slug of ['p-1', 'p-2', 'p-3']) await ctx.store.create(newTask(slug, { paused: true }));
      await ctx.store.create(newTask('p-other', { kind: OTHER_KIND, paused: true }));
      for (const slug of ['f-1', 'f-2']) {
        await ctx.store.create(newTask(slug, { runAt: future(1) }));
        await ctx.store.update(slug, { failed: true });
      }
      await ctx.store.create(newTask('r-1', { runAt: past(-1000) }));
      await ctx.store.create(newTask('r-2', { runAt: past(-999) }));
      expect(slugsOf(await claim(ctx.store, 'owner-a', { limit: 2 }))).toEqual(['r-1', 'r-2']);
      // Paused while held: running until the lease ends.
      await ctx.store.update('r-2', { paused: true });

      expect(slugsOf(await listAll({ state: 'paused', limit: 1 }))).toEqual(['p-1', 'p-2', 'p-3', 'p-other']);
      expect(slugsOf(await listAll({ state: 'paused', kind: KIND, limit: 2 }))).toEqual([
        'p-1',
        'p-2',
        'p-3',
      ]);
      expect(slugsOf(await listAll({ state: 'paused', slugPrefix: 'p-o', limit: 2 }))).toEqual(['p-other']);
      expect(slugsOf(await listAll({ state: 'failed', limit: 1 }))).toEqual(['f-1', 'f-2']);
      expect(slugsOf(await listAll({ state: 'running', limit: 1 }))).toEqual(['r-1', 'r-2']);
      expect(slugsOf(await listAll({ state: 'running', slugPrefix: 'r-2', limit: 5 }))).toEqual(['r-2']);
      expect(await listAll({ state: 'running', kind: OTHER_KIND, limit: 5 })).toEqual([]);
    });
  });

  describe('countByKind', () => {
    it('is empty for an empty store', async () => {
      expect(await ctx.store.countByKind()).toEqual([]);
    });

    it('counts each task once, in the state the list filters agree on, per kind in kind order', async () => {
      await ctx.store.create(newTask('due', { runAt: past(1) }));
      await ctx.store.create(newTask('later', { runAt: future(1) }));
      await ctx.store.create(newTask('paused', { runAt: future(2), paused: true }));
      await ctx.store.create(newTask('failed', { runAt: future(3) }));
      await ctx.store.update('failed', { failed: true });
      await ctx.store.create(newTask('failed-paused', { runAt: future(4) }));
      await ctx.store.update('failed-paused', { failed: true, paused: true });
      await ctx.store.create(newTask('held', { runAt: past(-2000) }));
      await ctx.store.create(newTask('held-paused', { runAt: past(-1999) }));
      await ctx.store.create(newTask('expired', { runAt: past(-1998) }));
      await ctx.store.create(newTask('other', { kind: OTHER_KIND, runAt: future(5) }));

      const long = await claim(ctx.store, 'owner-a', { limit: 2 });
      expect(slugsOf(long)).toEqual(['held', 'held-paused']);
      const [short] = await claim(ctx.store, 'owner-b', { limit: 1, leaseMs: SHORT_LEASE_MS });
      expect(short.slug).toBe('expired');
      await ctx.store.update('held-paused', { paused: true });
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);

      const counts = await ctx.store.countByKind();
      expect(counts).toEqual([
        // Sorted by kind: 'contract-kind' < 'contract-other-kind'.
        { kind: KIND, scheduled: 3, running: 2, failed: 1, paused: 2 },
        { kind: OTHER_KIND, scheduled: 1, running: 0, failed: 0, paused: 0 },
      ]);
      // The same states as the list filters.
      for (const state of ['scheduled', 'running', 'failed', 'paused'] as const) {
        const listed = await listAll({ kind: KIND, state, limit: 100 });
        expect([state, listed.length]).toEqual([state, counts[0][state]]);
      }
    });
  });

  describe('countHistory', () => {
    it('counts, per kind in kind order, the executions that finished since a time, by outcome', async () => {
      expect(await ctx.store.countHistory(past(0))).toEqual([]);
      await ctx.store.appendHistory([
        run(KIND, 10, 'succeeded'),
        run(KIND, 20, 'succeeded'),
        run(KIND, 21, 'failed'),
        run(KIND, 22, 'lease-lost'),
        run(OTHER_KIND, 19, 'failed'),
        run(OTHER_KIND, 30, 'failed'),
        run('gone-kind', 5, 'succeeded'),
      ]);
      expect(await ctx.store.countHistory(past(20))).toEqual([
        { kind: KIND, succeeded: 1, failed: 1, leaseLost: 1 },
        { kind: OTHER_KIND, succeeded: 0, failed: 1, leaseLost: 0 },
      ]);
      expect(await ctx.store.countHistory(past(0))).toEqual([
        { kind: KIND, succeeded: 2, failed: 1, leaseLost: 1 },
        { kind: OTHER_KIND, succeeded: 0, failed: 2, leaseLost: 0 },
        { kind: 'gone-kind', succeeded: 1, failed: 0, leaseLost: 0 },
      ]);
      expect(await ctx.store.countHistory(past(31))).toEqual([]);
    });

    it('refuses a time that is not a valid Date', async () => {
      await expect(ctx.store.countHistory(new Date(Number.NaN))).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('the instance registry', () => {
    it('records, overwrites, lists in id order and removes instances', async () => {
      expect(await ctx.store.listInstances(60_000)).toEqual([]);
      await ctx.store.recordInstance(instance('instance-b'));
      await ctx.store.recordInstance(instance('instance-a', { kinds: [], inFlight: 0 }));
      await ctx.store.recordInstance(
        instance('instance-b', {
          inFlight: 7,
          health: { running: true, lastPollAt: null, lastStoreError: 'timeout', consecutiveStoreErrors: 2 },
        }),
      );

      const listed = await ctx.store.listInstances(60_000);
      expect(listed.map((i) => i.instanceId)).toEqual(['instance-a', 'instance-b']);
      const { lastSeenAt, ...published } = listed[1];
      expect(published).toEqual(
        instance('instance-b', {
          inFlight: 7,
          health: { running: true, lastPollAt: null, lastStoreError: 'timeout', consecutiveStoreErrors: 2 },
        }),
      );
      expect(lastSeenAt).toBeInstanceOf(Date);
      expect(Number.isNaN(lastSeenAt.getTime())).toBe(false);
      expect(listed[0]).toMatchObject({ kinds: [], inFlight: 0, health: { lastPollAt: past(200) } });

      expect(await ctx.store.removeInstance('instance-a')).toBe(true);
      expect(await ctx.store.removeInstance('instance-a')).toBe(false);
      expect((await ctx.store.listInstances(60_000)).map((i) => i.instanceId)).toEqual(['instance-b']);
    });

    it('leaves out, and prunes, instances not heard from within the window', async () => {
      await ctx.store.recordInstance(instance('quiet'));
      await ctx.harness.advance(PAST_SHORT_LEASE_MS);
      await ctx.store.recordInstance(instance('chatty'));

      expect((await ctx.store.listInstances(SHORT_LEASE_MS)).map((i) => i.instanceId)).toEqual(['chatty']);
      expect((await ctx.store.listInstances(60_000)).map((i) => i.instanceId)).toEqual(['chatty', 'quiet']);
      expect(await ctx.store.pruneInstances(SHORT_LEASE_MS)).toBe(1);
      expect(await ctx.store.pruneInstances(SHORT_LEASE_MS)).toBe(0);
      expect((await ctx.store.listInstances(60_000)).map((i) => i.instanceId)).toEqual(['chatty']);
    });

    it('refuses a record or a window it cannot use', async () => {
      await expect(ctx.store.recordInstance(instance(''))).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(ctx.store.recordInstance(instance('x', { pid: 1.5 }))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        ctx.store.recordInstance(instance('x', { startedAt: new Date('nope') })),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(ctx.store.listInstances(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(ctx.store.pruneInstances(Number.NaN)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(ctx.store.removeInstance('')).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await ctx.store.listInstances(60_000)).toEqual([]);
    });
  });
}
