// The store contract under Vitest, from the public `testing` entry, against the memory store.
import { MemoryStore, VirtualClock } from 'nestjs-durable-scheduler/core';
import { describeJobStoreContract } from 'nestjs-durable-scheduler/testing';

describeJobStoreContract('MemoryStore under Vitest', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  return { store, advance: async (ms) => clock.advanceBy(ms), cleanup: () => store.close() };
});
