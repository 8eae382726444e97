import { VirtualClock } from '../../lib/core/clock.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';
import { describeOperatingSuite } from '../../lib/testing/operating/operating.suite.js';

/** The operating features on the memory store, on a virtual clock. */
describeOperatingSuite('MemoryStore', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  return {
    store,
    clock,
    advance: async (ms) => clock.advanceBy(ms),
    cleanup: () => store.close(),
  };
});
