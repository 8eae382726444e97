/**
 * What the console reads besides tasks and history: counts per kind (tasks by state, runs by
 * outcome) and the instance registry. Counts use `count()` aggregations, so what they read does not
 * grow with the number of documents counted.
 */
import type { CollectionReference, Query } from '@google-cloud/firestore';

import type { InstanceInfo, InstanceRecord, KindCounts, KindRunStats } from '../../core/store/job-store.js';
import { sortedByKind } from '../../core/store/counts.js';
import { compareSlugs, leaseIsLive } from '../../core/store/store-rules.js';
import { deleteMatching } from './batches.js';
import { decodeTask, deleteIfExists, type StoreCollections, type StoreContext } from './collections.js';
import { TASK_FIELDS } from './document.js';
import { HISTORY_FIELDS } from './history-document.js';
import { fromInstanceDocument, INSTANCE_FIELDS, toInstanceDocument } from './instance-document.js';

/**
 * Per kind: the kinds come from a skip scan of the kind index (one single-document read per kind),
 * then three `count()` aggregations (scheduled, failed, paused; one read per 1000 index entries)
 * and a read of the kind's leased tasks (few), whose live leases make them "running".
 */
export async function countTasksByKind({ collections, clock }: StoreContext): Promise<KindCounts[]> {
  const kinds = await distinctValues(collections.tasks, TASK_FIELDS.kind);
  const now = clock.now();
  return sortedByKind(await Promise.all(kinds.map((kind) => countKind(collections, kind, now))));
}

/**
 * Per kind: the kinds that have history come from a skip scan of the history collection's kind
 * index, then one `count()` aggregation per kind and outcome over the window: what it reads does
 * not grow with the number of executions.
 */
export async function countRunsByKind({ collections }: StoreContext, since: Date): Promise<KindRunStats[]> {
  const kinds = await distinctValues(collections.history, HISTORY_FIELDS.kind);
  const stats = await Promise.all(
    kinds.map(async (kind): Promise<KindRunStats> => {
      const count = (outcome: string): Promise<number> =>
        countOf(
          collections.history
            .where(HISTORY_FIELDS.kind, '==', kind)
            .where(HISTORY_FIELDS.outcome, '==', outcome)
            .where(HISTORY_FIELDS.finishedAt, '>=', since),
        );
      const [succeeded, failed, leaseLost] = await Promise.all([
        count('succeeded'),
        count('failed'),
        count('lease-lost'),
      ]);
      return { kind, succeeded, failed, leaseLost };
    }),
  );
  return sortedByKind(stats.filter((s) => s.succeeded + s.failed + s.leaseLost > 0));
}

export async function recordInstance(
  { collections, clock }: StoreContext,
  info: InstanceInfo,
): Promise<void> {
  await collections.instanceRef(info.instanceId).set(toInstanceDocument(info, clock.now()));
}

export function removeInstance({ collections }: StoreContext, instanceId: string): Promise<boolean> {
  return deleteIfExists(collections.instanceRef(instanceId));
}

/** The instances seen within `maxAgeMs` (by their writers' clocks, compared with this one), by id. */
export async function listInstances(
  { collections, clock }: StoreContext,
  maxAgeMs: number,
): Promise<InstanceRecord[]> {
  const since = new Date(clock.now().getTime() - maxAgeMs);
  const snap = await collections.instances.where(INSTANCE_FIELDS.lastSeenAt, '>=', since).get();
  return snap.docs
    .map((doc) => fromInstanceDocument(doc.data()))
    .sort((a, b) => compareSlugs(a.instanceId, b.instanceId));
}

/** Deletes the records of instances not seen within `maxAgeMs`; returns how many. */
export function pruneInstances(
  { firestore, collections, clock }: StoreContext,
  maxAgeMs: number,
): Promise<number> {
  const before = new Date(clock.now().getTime() - maxAgeMs);
  return deleteMatching(firestore, collections.instances.where(INSTANCE_FIELDS.lastSeenAt, '<', before));
}

/** Every distinct value of `field` in `collection`, in order: one single-document read per value. */
async function distinctValues(collection: CollectionReference, field: string): Promise<string[]> {
  const values: string[] = [];
  for (;;) {
    let query: Query = collection.orderBy(field).select(field).limit(1);
    if (values.length > 0) query = query.where(field, '>', values[values.length - 1]);
    const snap = await query.get();
    if (snap.empty) return values;
    values.push(snap.docs[0].get(field) as string);
  }
}

async function countKind(collections: StoreCollections, kind: string, now: Date): Promise<KindCounts> {
  const ofKind = collections.tasks.where(TASK_FIELDS.kind, '==', kind);
  const [paused, failed, scheduled, leased] = await Promise.all([
    countOf(ofKind.where(TASK_FIELDS.paused, '==', true)),
    countOf(ofKind.where(TASK_FIELDS.failed, '==', true).where(TASK_FIELDS.paused, '==', false)),
    countOf(ofKind.where(TASK_FIELDS.failed, '==', false).where(TASK_FIELDS.paused, '==', false)),
    ofKind.where(TASK_FIELDS.leased, '==', true).get(),
  ]);
  const counts: KindCounts = { kind, scheduled, running: 0, failed, paused };
  for (const doc of leased.docs) {
    const task = decodeTask(doc);
    if (!leaseIsLive(task.lockedUntil, now)) continue;
    // A task under a live lease is running whatever else holds: move it out of its other state.
    counts.running += 1;
    if (task.paused) counts.paused -= 1;
    else if (task.failed) counts.failed -= 1;
    else counts.scheduled -= 1;
  }
  return counts;
}

async function countOf(query: Query): Promise<number> {
  const snap = await query.count().get();
  return snap.data().count;
}
