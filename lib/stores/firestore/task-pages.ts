/**
 * Reading tasks in slug order: every slug, and pages of `list` (a kind, a state, a slug prefix).
 * Equality filters narrow the scan; what depends on "now" (a live lease) is checked per task.
 */
import type { Query } from '@google-cloud/firestore';

import { MAX_LIST_LIMIT } from '../../core/arguments.js';
import type { StoreTask } from '../../core/job.js';
import { stateOf } from '../../core/job-state.js';
import type { ListQuery, TaskPage, TaskStateFilter } from '../../core/store/job-store.js';
import { compareSlugs } from '../../core/store/store-rules.js';
import { decodeTask, type StoreCollections, type StoreContext } from './collections.js';
import { TASK_FIELDS } from './document.js';

/** Every slug, in slug order, read a few hundred at a time. */
export async function allSlugs(collections: StoreCollections): Promise<string[]> {
  const slugs: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    let query = collections.tasks.orderBy(TASK_FIELDS.slug).select(TASK_FIELDS.slug);
    if (cursor !== null) query = query.where(TASK_FIELDS.slug, '>', cursor);
    const snap = await query.limit(MAX_LIST_LIMIT).get();
    for (const doc of snap.docs) slugs.push(doc.get(TASK_FIELDS.slug) as string);
    if (snap.size < MAX_LIST_LIMIT) return slugs;
    cursor = snap.docs[snap.size - 1].get(TASK_FIELDS.slug) as string;
  }
}

/** One page of `list` (the query already checked), states as at the clock's now. */
export async function listPage({ collections, clock }: StoreContext, query: ListQuery): Promise<TaskPage> {
  const { limit } = query;
  const prefix = query.slugPrefix ?? '';
  const base = stateQuery(collections, query.kind, query.state);
  const now = clock.now();
  const pageSize = Math.min(MAX_LIST_LIMIT, limit + 1);
  const found: StoreTask[] = [];
  let cursor = query.cursor ?? null;
  // Slugs with a prefix are one range of the slug order: from the prefix to the first slug without it.
  let fromPrefix = prefix !== '' && (cursor === null || compareSlugs(cursor, prefix) < 0);
  let pastPrefix = false;
  while (found.length <= limit && !pastPrefix) {
    let page: Query = base.orderBy(TASK_FIELDS.slug);
    if (fromPrefix) page = page.where(TASK_FIELDS.slug, '>=', prefix);
    else if (cursor !== null) page = page.where(TASK_FIELDS.slug, '>', cursor);
    fromPrefix = false;
    const snap = await page.limit(pageSize).get();
    for (const doc of snap.docs) {
      if (!(doc.get(TASK_FIELDS.slug) as string).startsWith(prefix)) {
        pastPrefix = true;
        break;
      }
      const task = decodeTask(doc);
      if (query.state === undefined || stateOf(task, now) === query.state) found.push(task);
      if (found.length > limit) break;
    }
    if (snap.size < pageSize) break;
    cursor = snap.docs[snap.size - 1].get(TASK_FIELDS.slug) as string;
  }
  const tasks = found.slice(0, limit);
  return { tasks, nextCursor: found.length > limit ? tasks[tasks.length - 1].slug : null };
}

/** A query narrowed by equality filters to the tasks that can be in `state` (the rest is checked per task). */
function stateQuery(
  collections: StoreCollections,
  kind: string | undefined,
  state: TaskStateFilter | undefined,
): Query {
  let query: Query = collections.tasks;
  if (kind !== undefined) query = query.where(TASK_FIELDS.kind, '==', kind);
  switch (state) {
    case 'paused':
      return query.where(TASK_FIELDS.paused, '==', true);
    case 'failed':
      return query.where(TASK_FIELDS.failed, '==', true).where(TASK_FIELDS.paused, '==', false);
    case 'scheduled':
      return query.where(TASK_FIELDS.failed, '==', false).where(TASK_FIELDS.paused, '==', false);
    case 'running':
      return query.where(TASK_FIELDS.leased, '==', true);
    default:
      return query;
  }
}
