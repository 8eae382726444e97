/** Undoes what global-setup.js started, in reverse order. */
export default async function globalTeardown() {
  const teardowns = globalThis.__schedulerTeardowns ?? [];
  for (const teardown of teardowns.reverse()) await teardown();
}
