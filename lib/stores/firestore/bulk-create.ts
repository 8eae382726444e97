/**
 * `createMany` on Firestore: batched commits of a few hundred documents, exact under races.
 *
 * Firestore has no statement that inserts many documents and says which existed: a batch of
 * `create`s fails as a whole if one document exists. So each chunk's documents are read first
 * (`getAll`) and only the missing ones created in one batch; if another writer created one meanwhile
 * (the batch fails with ALREADY_EXISTS), that chunk falls back to one `create` per document, each
 * atomic, so that every slug is created once and each caller told the truth. A replace reads and
 * writes its chunk in one transaction (the version goes up from the one it read).
 *
 * Atomicity: with `onConflict: 'error'`, every chunk is read before anything is written, so an
 * existing slug refuses the call with nothing written; only a slug created by another writer after
 * that read fails the call part way (the chunks before it stay written).
 */
import type { DocumentReference, DocumentSnapshot } from '@google-cloud/firestore';

import { JobAlreadyScheduledError } from '../../core/errors/job-already-scheduled.error.js';
import type { StoreTask } from '../../core/job.js';
import type { ConflictPolicy, CreatedItem, NewTask } from '../../core/store/job-store.js';
import { chunks, WRITES_PER_COMMIT } from './batches.js';
import { decodeTask, type StoreContext } from './collections.js';
import { hasCode, runContended, TX_ATTEMPTS } from './contention.js';
import { toDocument } from './document.js';

const ALREADY_EXISTS = 6;
/** Documents per replace transaction: a read and a write each, within Firestore's 500 writes. */
const REPLACE_CHUNK = 200;

/** Creates the tasks as `onConflict` says; `fresh` builds a new task's stored form. */
export async function createManyTasks(
  ctx: StoreContext,
  tasks: readonly NewTask[],
  onConflict: ConflictPolicy,
  fresh: (task: NewTask) => StoreTask,
): Promise<CreatedItem[]> {
  const results = new Map<string, CreatedItem>();
  if (onConflict === 'replace') {
    for (const chunk of chunks(tasks, REPLACE_CHUNK)) {
      for (const item of await replaceChunk(ctx, chunk, fresh)) results.set(item.slug, item);
    }
  } else {
    const pending = chunks(tasks, WRITES_PER_COMMIT).map((chunk) => ({
      chunk,
      refs: chunk.map((task) => ctx.collections.taskRef(task.slug)),
    }));
    // Read first: an existing slug is known before anything is written.
    const existing = new Set<string>();
    for (const { chunk, refs } of pending) {
      const snaps = await ctx.firestore.getAll(...refs);
      snaps.forEach((snap, i) => snap.exists && existing.add(chunk[i].slug));
    }
    if (onConflict === 'error' && existing.size > 0) {
      throw new JobAlreadyScheduledError(tasks.find((task) => existing.has(task.slug))?.slug as string);
    }
    for (const { chunk, refs } of pending) {
      const items = await createChunk(ctx, chunk, refs, existing, fresh);
      for (const item of items) results.set(item.slug, item);
      if (onConflict === 'error') {
        const taken = items.find((item) => item.status === 'skipped');
        if (taken) throw new JobAlreadyScheduledError(taken.slug);
      }
    }
  }
  return tasks.map((task) => results.get(task.slug) as CreatedItem);
}

/** Creates a chunk's missing tasks in one batch, or one by one when another writer got in between. */
async function createChunk(
  ctx: StoreContext,
  chunk: readonly NewTask[],
  refs: readonly DocumentReference[],
  existing: ReadonlySet<string>,
  fresh: (task: NewTask) => StoreTask,
): Promise<CreatedItem[]> {
  const missing = chunk
    .map((task, i) => ({ task, ref: refs[i] }))
    .filter(({ task }) => !existing.has(task.slug));
  const written = new Map(missing.map(({ task }) => [task.slug, fresh(task)]));
  const skipped = (slug: string): CreatedItem => ({ slug, status: 'skipped', incarnation: null });
  const created = (slug: string): CreatedItem => ({
    slug,
    status: 'created',
    incarnation: (written.get(slug) as StoreTask).incarnation,
  });
  if (missing.length > 0) {
    const batch = ctx.firestore.batch();
    for (const { task, ref } of missing) batch.create(ref, toDocument(written.get(task.slug) as StoreTask));
    try {
      await batch.commit();
    } catch (error) {
      if (!hasCode(error, ALREADY_EXISTS)) throw error;
      // Another writer created one of them meanwhile: each document alone tells which.
      const raced = new Set<string>();
      for (const { task, ref } of missing) {
        try {
          await ref.create(toDocument(written.get(task.slug) as StoreTask));
        } catch (single) {
          if (!hasCode(single, ALREADY_EXISTS)) throw single;
          raced.add(task.slug);
        }
      }
      return chunk.map((task) =>
        existing.has(task.slug) || raced.has(task.slug) ? skipped(task.slug) : created(task.slug),
      );
    }
  }
  return chunk.map((task) => (existing.has(task.slug) ? skipped(task.slug) : created(task.slug)));
}

/** Writes a chunk over whatever is there, in one transaction: a replaced task's version goes up. */
function replaceChunk(
  ctx: StoreContext,
  chunk: readonly NewTask[],
  fresh: (task: NewTask) => StoreTask,
): Promise<CreatedItem[]> {
  const refs = chunk.map((task) => ctx.collections.taskRef(task.slug));
  return runContended(ctx.firestore, TX_ATTEMPTS, async (tx) => {
    const snaps: DocumentSnapshot[] = await tx.getAll(...refs);
    return chunk.map((task, i): CreatedItem => {
      const old = snaps[i].exists ? decodeTask(snaps[i]) : null;
      const next = fresh(task);
      const written: StoreTask = old ? { ...next, version: old.version + 1, createdAt: old.createdAt } : next;
      tx.set(refs[i], toDocument(written));
      return { slug: task.slug, status: old ? 'replaced' : 'created', incarnation: written.incarnation };
    });
  });
}
