import { claim, eventually, future, leaseOf, newTask, past } from '../fixtures.js';
import type { ContractContext } from '../store-harness.js';

/** onWake, for the stores that offer it (delivery may be asynchronous, so the cases wait for it). */
export function wakeCases(ctx: ContractContext): void {
  const { describe, it, expect } = ctx.t;
  describe('onWake (when the store has it)', () => {
    /** Subscribes on `store`; returns the times heard and the unsubscribe function. */
    function listen(store = ctx.store): { heard: number[]; stop: () => void } {
      const heard: number[] = [];
      const stop = store.onWake?.((runAt) => heard.push(runAt.getTime())) ?? (() => undefined);
      return { heard, stop };
    }

    it('tells a listener about a create with an earlier runAt', async () => {
      if (!ctx.store.onWake) return;
      await ctx.store.create(newTask('later', { runAt: future(10) }));
      const { heard, stop } = listen();
      try {
        await ctx.store.create(newTask('sooner', { runAt: past(7) }));
        await eventually(() => heard.includes(past(7).getTime()), 'the wake-up for a created task');
      } finally {
        stop();
      }
    });

    it('tells a listener on another instance', async () => {
      if (!ctx.store.onWake || !ctx.harness.peer) return;
      const peer = await ctx.harness.peer();
      if (!peer.onWake) return;
      const { heard, stop } = listen(peer);
      try {
        await ctx.store.create(newTask('from-elsewhere', { runAt: past(8) }));
        await eventually(() => heard.includes(past(8).getTime()), "the wake-up for another instance's task");
      } finally {
        stop();
      }
    });

    it('tells a listener about a reschedule by update and by settle', async () => {
      if (!ctx.store.onWake) return;
      await ctx.store.create(newTask('moved', { runAt: future(1) }));
      await ctx.store.create(newTask('retried', { runAt: past(0) }));
      const [held] = await claim(ctx.store, 'owner-a');
      const { heard, stop } = listen();
      try {
        await ctx.store.update('moved', { runAt: past(11) });
        await eventually(() => heard.includes(past(11).getTime()), 'the wake-up for an update');
        await ctx.store.settle('owner-a', [
          { ...leaseOf(held), type: 'reschedule', runAt: past(12), retry: 1, result: 'boom', failed: false },
        ]);
        await eventually(() => heard.includes(past(12).getTime()), 'the wake-up for a settle');
      } finally {
        stop();
      }
    });

    it('stops telling a listener once it unsubscribed', async () => {
      if (!ctx.store.onWake) return;
      const first = listen();
      first.stop();
      const second = listen();
      try {
        await ctx.store.create(newTask('after-unsubscribe', { runAt: past(9) }));
        await eventually(
          () => second.heard.includes(past(9).getTime()),
          'the wake-up for the second listener',
        );
        expect(first.heard).not.toContain(past(9).getTime());
      } finally {
        second.stop();
      }
    });
  });
}
