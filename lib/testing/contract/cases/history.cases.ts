import type { HistoryRecord } from '../../../core/store/job-store.js';
import { KIND, OTHER_KIND, past } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** A record of one execution of `slug` that finished at `past(finishedAt)`. */
function record(slug: string, finishedAt: number, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    slug,
    kind: KIND,
    scheduledAt: past(finishedAt - 3),
    startedAt: past(finishedAt - 2),
    finishedAt: past(finishedAt),
    outcome: 'succeeded',
    error: null,
    attempt: 1,
    instanceId: 'instance-1',
    ...overrides,
  };
}

/** appendHistory, getHistory, pruneHistory. */
export function historyCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('history', () => {
    it('is empty for a slug without records', async () => {
      expect(await ctx.store.getHistory('nothing', 10)).toEqual([]);
      await ctx.store.appendHistory([]);
      expect(await ctx.store.getHistory('nothing', 10)).toEqual([]);
    });

    it("returns a slug's records newest first, every field intact, up to the limit", async () => {
      const r1 = record('job', 10, { outcome: 'failed', error: 'boom: ünïcode', attempt: 1 });
      const r2 = record('job', 20, {
        outcome: 'lease-lost',
        error: 'lease lost',
        attempt: 2,
        instanceId: 'i-2',
      });
      const r3 = record('job', 30, { outcome: 'succeeded', attempt: 3 });
      const other = record('other', 25, { kind: OTHER_KIND });
      await ctx.store.appendHistory([r1, other]);
      await ctx.store.appendHistory([r3, r2]);

      expect(await ctx.store.getHistory('job', 10)).toEqual([r3, r2, r1]);
      expect(await ctx.store.getHistory('job', 2)).toEqual([r3, r2]);
      expect(await ctx.store.getHistory('other', 10)).toEqual([other]);
      const [newest] = await ctx.store.getHistory('job', 1);
      expect(newest.finishedAt).toBeInstanceOf(Date);
      expect(newest.startedAt).toBeInstanceOf(Date);
      expect(newest.scheduledAt).toBeInstanceOf(Date);
    });

    it('prunes records that finished before a time and says how many', async () => {
      await ctx.store.appendHistory([
        record('job', 10),
        record('job', 20),
        record('job', 30),
        record('other', 15),
      ]);
      expect(await ctx.store.pruneHistory(past(20))).toBe(2);
      expect((await ctx.store.getHistory('job', 10)).map((r) => r.finishedAt)).toEqual([past(30), past(20)]);
      expect(await ctx.store.getHistory('other', 10)).toEqual([]);
      expect(await ctx.store.pruneHistory(past(20))).toBe(0);
    });

    it('keeps history for a slug whose task does not exist (history outlives its task)', async () => {
      await ctx.store.appendHistory([record('deleted-long-ago', 5)]);
      expect(await ctx.store.getHistory('deleted-long-ago', 5)).toHaveLength(1);
    });
  });
}
