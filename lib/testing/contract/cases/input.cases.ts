import { MAX_KIND_BYTES, MAX_SLUG_BYTES } from '../../../core/arguments.js';
import { InvalidArgumentError, InvalidPayloadError, InvalidSlugError } from '../../../core/errors/index.js';
import { MAX_PAYLOAD_DEPTH } from '../../../core/payload.js';
import type { TaskOutcome } from '../../../core/store/job-store.js';
import { claim, future, KIND, leaseOf, newTask, past, withoutTimestamps } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** A payload nested `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/**
 * What a store refuses, the same on every store, before anything is written: keys that are not
 * well-formed Unicode or too long or hold a NUL, times no store can hold, unstorable payloads, and
 * outcomes and patches of the wrong shape. And the incarnation a task carries through its life.
 */
export function inputCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('bad input', () => {
    it('refuses slugs that are not well-formed, hold a NUL or are too long, before anything is written', async () => {
      const bad = ['x\uD800', 'x\uDBFF', '\uDC00y', 'a\u0000b', '', 'é'.repeat(MAX_SLUG_BYTES / 2 + 1)];
      for (const slug of bad) {
        await expect(ctx.store.create(newTask(slug))).rejects.toBeInstanceOf(InvalidSlugError);
      }
      // The longest slug fits, in any store (2-byte characters: 1024 bytes).
      const longest = 'é'.repeat(MAX_SLUG_BYTES / 2);
      await ctx.store.create(newTask(longest));
      expect(await ctx.store.getSlugs()).toEqual([longest]);
    });

    it('refuses kinds that are not well-formed, hold a NUL or are too long', async () => {
      for (const kind of ['k\uD800', 'k\u0000', '', 'k'.repeat(MAX_KIND_BYTES + 1)]) {
        await expect(ctx.store.create(newTask('a', { kind }))).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      expect(await ctx.store.getSlugs()).toEqual([]);
    });

    it('refuses run times outside 0001..9999 and invalid dates', async () => {
      const bad = [
        new Date('+010000-01-01T00:00:00Z'),
        new Date('-000001-01-01T00:00:00Z'),
        new Date(Number.NaN),
      ];
      for (const runAt of bad) {
        await expect(ctx.store.create(newTask('a', { runAt }))).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await ctx.store.create(newTask('last', { runAt: new Date('9999-12-31T23:59:59.999Z') }));
      expect((await ctx.store.get('last'))?.runAt).toEqual(new Date('9999-12-31T23:59:59.999Z'));
    });

    it('refuses a payload nested deeper than the limit', async () => {
      await expect(
        ctx.store.create(newTask('deep', { payload: nested(MAX_PAYLOAD_DEPTH + 1) as never })),
      ).rejects.toBeInstanceOf(InvalidPayloadError);
      await ctx.store.create(newTask('deep-enough', { payload: nested(MAX_PAYLOAD_DEPTH - 1) as never }));
      expect((await ctx.store.get('deep-enough'))?.payload).toEqual(nested(MAX_PAYLOAD_DEPTH - 1));
    });

    it('refuses a batch of outcomes holding one of the wrong shape, and writes none of it', async () => {
      await ctx.store.create(newTask('good'));
      await ctx.store.create(newTask('bad'));
      const held = await claim(ctx.store, 'owner-a');
      const [good, bad] = ['good', 'bad'].map((slug) => held.find((task) => task.slug === slug)!);
      const wrong: unknown[] = [
        { result: 42 },
        { runAt: new Date('+010000-01-01T00:00:00Z') },
        { runAt: new Date(Number.NaN) },
        { retry: -1 },
        { payload: { n: 10n } },
      ];
      for (const change of wrong) {
        const outcomes = [
          { ...leaseOf(good), type: 'delete' },
          {
            ...leaseOf(bad),
            type: 'reschedule',
            runAt: past(1),
            retry: 1,
            result: 'r',
            failed: false,
            ...(change as object),
          },
        ] as TaskOutcome[];
        await expect(ctx.store.settle('owner-a', outcomes)).rejects.toBeInstanceOf(Error);
      }
      expect(withoutTimestamps(await ctx.store.get('good'))).toEqual(withoutTimestamps(good));
      expect(withoutTimestamps(await ctx.store.get('bad'))).toEqual(withoutTimestamps(bad));
    });

    it('refuses a patch of the wrong shape, and changes nothing', async () => {
      const created = await ctx.store.create(newTask('job', { runAt: future(1) }));
      const wrong: unknown[] = [
        { runAt: new Date('+010000-01-01T00:00:00Z') },
        { paused: 'no' },
        { retry: 1.5 },
        { result: 7 },
        { schedule: { type: 'weekly' } },
      ];
      for (const patch of wrong) {
        await expect(ctx.store.update('job', patch as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      expect(withoutTimestamps(await ctx.store.get('job'))).toEqual(withoutTimestamps(created));
    });
  });

  describe('incarnation', () => {
    it('is new on every create and replace, and kept by claims, renewals, outcomes, updates and pauses', async () => {
      const first = await ctx.store.create(newTask('job', { schedule: { type: 'interval', everyMs: 1000 } }));
      const [held] = await claim(ctx.store, 'owner-a');
      expect(held.incarnation).toBe(first.incarnation);
      await ctx.store.extendLease('owner-a', [leaseOf(held)], 60_000);
      await ctx.store.settle('owner-a', [
        { ...leaseOf(held), type: 'reschedule', runAt: past(5), retry: 0, result: null, failed: false },
      ]);
      await ctx.store.update('job', { runAt: past(6), payload: 'changed' });
      await ctx.store.setPausedByKind(KIND, true);
      await ctx.store.setPausedByKind(KIND, false);
      expect((await ctx.store.get('job'))?.incarnation).toBe(first.incarnation);

      const replaced = await ctx.store.create(newTask('job'), { replace: true });
      expect(replaced.incarnation).not.toBe(first.incarnation);
      expect(await ctx.store.delete('job')).toBe(true);
      const again = await ctx.store.create(newTask('job'));
      expect(new Set([first.incarnation, replaced.incarnation, again.incarnation]).size).toBe(3);
    });
  });
}
