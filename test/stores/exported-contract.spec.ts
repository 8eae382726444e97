/**
 * The store contract and the operating suite as a third-party store runs them: imported from the
 * package's public `testing` entry (by the package's own name), against the memory store of its
 * public `core` entry, on a virtual clock.
 */
import { MemoryStore, VirtualClock } from 'nestjs-durable-scheduler/core';
import { describeJobStoreContract, describeOperatingSuite } from 'nestjs-durable-scheduler/testing';

describeJobStoreContract('MemoryStore through nestjs-durable-scheduler/testing', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  return { store, advance: async (ms) => clock.advanceBy(ms), cleanup: () => store.close() };
});

describeOperatingSuite('MemoryStore through nestjs-durable-scheduler/testing', async () => {
  const clock = new VirtualClock();
  const store = new MemoryStore({ clock });
  return { store, clock, advance: async (ms) => clock.advanceBy(ms), cleanup: () => store.close() };
});
