import { MAX_TRACE_CONTEXT_BYTES, MAX_TRACE_CONTEXT_ENTRIES } from '../../../core/arguments.js';
import { InvalidArgumentError, InvalidTraceContextError } from '../../../core/errors/index.js';
import type { TraceContext } from '../../../core/job.js';
import { claim, future, KIND, leaseOf, newTask, past } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const CONTEXT: TraceContext = {
  traceparent: TRACEPARENT,
  tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
};

/** A context of exactly `bytes` UTF-8 bytes of keys and values. */
function contextOfBytes(bytes: number): TraceContext {
  const rest = bytes - 'traceparent'.length - TRACEPARENT.length - 'tracestate'.length;
  return { traceparent: TRACEPARENT, tracestate: 'a'.repeat(rest) };
}

/**
 * The trace context a task carries (`NewTask.traceContext`): written by create, read back by every
 * read, kept by every later write about the task, replaced by a replace, checked before anything
 * is written.
 */
export function traceContextCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('trace context', () => {
    it('round-trips through create, get, list and claim; a task without one has none', async () => {
      const created = await ctx.store.create(newTask('traced', { traceContext: CONTEXT }));
      await ctx.store.create(newTask('plain'));
      await ctx.store.create(newTask('empty', { traceContext: {} }));
      await ctx.store.create(newTask('null', { traceContext: null }));
      expect(created.traceContext).toEqual(CONTEXT);
      expect((await ctx.store.get('traced'))?.traceContext).toEqual(CONTEXT);
      for (const slug of ['plain', 'empty', 'null']) {
        const read = await ctx.store.get(slug);
        expect([slug, read !== null && 'traceContext' in read]).toEqual([slug, false]);
      }
      const listed = await ctx.store.list({ limit: 10 });
      expect(Object.fromEntries(listed.tasks.map((task) => [task.slug, task.traceContext ?? null]))).toEqual({
        empty: null,
        null: null,
        plain: null,
        traced: CONTEXT,
      });
      const claimed = await claim(ctx.store, 'owner-a');
      expect(claimed.find((task) => task.slug === 'traced')?.traceContext).toEqual(CONTEXT);
    });

    it('is kept by settle, update, pause by kind and release, and is not shared with the caller', async () => {
      const given = { ...CONTEXT };
      await ctx.store.create(newTask('kept', { traceContext: given }));
      given.traceparent = 'changed by the caller after create';

      const [held] = await claim(ctx.store, 'owner-a');
      await ctx.store.settle('owner-a', [
        { ...leaseOf(held!), type: 'reschedule', runAt: past(5), retry: 1, result: 'boom', failed: false },
      ]);
      expect((await ctx.store.get('kept'))?.traceContext).toEqual(CONTEXT);

      await ctx.store.update('kept', { runAt: future(1), payload: { changed: true } });
      await ctx.store.update('kept', { paused: true });
      await ctx.store.setPausedByKind(KIND, false);
      expect((await ctx.store.get('kept'))?.traceContext).toEqual(CONTEXT);

      await ctx.store.update('kept', { runAt: past(6) });
      const [again] = await claim(ctx.store, 'owner-b');
      await ctx.store.release('owner-b', [leaseOf(again!)]);
      const read = await ctx.store.get('kept');
      expect(read?.traceContext).toEqual(CONTEXT);
      read!.traceContext!.traceparent = 'changed by the caller after get';
      expect((await ctx.store.get('kept'))?.traceContext).toEqual(CONTEXT);
    });

    it('is replaced by a replace: the new definition carries its own context, or none', async () => {
      await ctx.store.create(newTask('swap', { traceContext: CONTEXT }));
      const other = { traceparent: '00-11111111111111111111111111111111-2222222222222222-00' };
      const replaced = await ctx.store.create(newTask('swap', { traceContext: other }), { replace: true });
      expect(replaced.traceContext).toEqual(other);
      expect((await ctx.store.get('swap'))?.traceContext).toEqual(other);
      await ctx.store.create(newTask('swap'), { replace: true });
      const read = await ctx.store.get('swap');
      expect(read !== null && 'traceContext' in read).toBe(false);
    });

    it(`holds a context of ${MAX_TRACE_CONTEXT_BYTES} bytes and ${MAX_TRACE_CONTEXT_ENTRIES} entries`, async () => {
      const largest = contextOfBytes(MAX_TRACE_CONTEXT_BYTES);
      await ctx.store.create(newTask('largest', { traceContext: largest }));
      expect((await ctx.store.get('largest'))?.traceContext).toEqual(largest);
      const many = Object.fromEntries(
        Array.from({ length: MAX_TRACE_CONTEXT_ENTRIES }, (_, i) => [`key-${i}.x_y`, `värde ${i} ✓`]),
      );
      await ctx.store.create(newTask('many', { traceContext: many }));
      expect((await ctx.store.get('many'))?.traceContext).toEqual(many);
    });

    it('refuses a context no store can hold with InvalidTraceContextError, before anything is written', async () => {
      const bad: unknown[] = [
        'traceparent',
        42,
        [TRACEPARENT],
        new Map([['traceparent', TRACEPARENT]]),
        { traceparent: 7 },
        { traceparent: null },
        { traceparent: 'a\u0000b' },
        { traceparent: 'x\uD800' },
        { 'bad key': TRACEPARENT },
        { '': TRACEPARENT },
        { ['k'.repeat(65)]: TRACEPARENT },
        contextOfBytes(MAX_TRACE_CONTEXT_BYTES + 1),
        Object.fromEntries(Array.from({ length: MAX_TRACE_CONTEXT_ENTRIES + 1 }, (_, i) => [`k${i}`, 'v'])),
      ];
      for (const traceContext of bad) {
        const error: unknown = await ctx.store
          .create(newTask('refused', { traceContext: traceContext as TraceContext }))
          .then(
            () => null,
            (thrown: unknown) => thrown,
          );
        expect(error).toBeInstanceOf(InvalidTraceContextError);
        // It is an InvalidArgumentError too, naming the argument, for code that catches those.
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).argument).toBe('traceContext');
      }
      expect(await ctx.store.getSlugs()).toEqual([]);
    });
  });
}
