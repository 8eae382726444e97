import { JobAlreadyScheduledError } from './errors/job-already-scheduled.error.js';
import type { CreatedItem, CreateManyOptions, JobStore, NewTask } from './store/job-store.js';

/**
 * `JobStore.createMany` for a store that does not offer it: one `create` per task, in order. With
 * `onConflict: 'error'` every slug is looked up first, so that an existing one refuses the call
 * before anything is written; a slug created by another caller meanwhile still fails the call part
 * way (the tasks before it stay created): only a store's own `createMany` can be atomic.
 */
export async function createEach(
  store: JobStore,
  tasks: readonly NewTask[],
  options: CreateManyOptions = {},
): Promise<CreatedItem[]> {
  const onConflict = options.onConflict ?? 'error';
  if (onConflict === 'error') {
    for (const task of tasks)
      if ((await store.get(task.slug)) !== null) throw new JobAlreadyScheduledError(task.slug);
  }
  const results: CreatedItem[] = [];
  for (const task of tasks) {
    if (onConflict === 'replace') {
      const existed = (await store.get(task.slug)) !== null;
      const written = await store.create(task, { replace: true, tx: options.tx });
      results.push({
        slug: task.slug,
        status: existed ? 'replaced' : 'created',
        incarnation: written.incarnation,
      });
      continue;
    }
    try {
      const written = await store.create(task, { tx: options.tx });
      results.push({ slug: task.slug, status: 'created', incarnation: written.incarnation });
    } catch (error) {
      if (!(error instanceof JobAlreadyScheduledError) || onConflict === 'error') throw error;
      results.push({ slug: task.slug, status: 'skipped', incarnation: null });
    }
  }
  return results;
}
