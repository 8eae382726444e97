import type { DocumentReference } from '@google-cloud/firestore';

import { errorMessage } from '../../core/error-text.js';
import { messages } from '../../core/errors/messages.js';
import type { StoreTask } from '../../core/job.js';
import type { SchedulerLogger } from '../../core/logger.js';
import type { ClaimRequest } from '../../core/store/job-store.js';
import { compareSlugs } from '../../core/store/store-rules.js';
import { chunks, MAX_IN_VALUES, unique, WRITES_PER_COMMIT } from './batches.js';
import { decodeTask, type StoreContext } from './collections.js';
import { runContended } from './contention.js';
import { isClaimable, stateFields, TASK_FIELDS } from './document.js';

/** Attempts of a claim before giving up for this poll (the loop polls again). */
const CLAIM_ATTEMPTS = 8;
/** After a lost claim race, a claimer picks its tasks at random among this many times its limit. */
const CONTENDED_WINDOW = 8;
/** How long after a lost claim race this store keeps claiming at random from the start. */
const CONTENDED_FOR_MS = 2000;

/** What a claim works with: the store's context, and where it logs documents it cannot read. */
export interface ClaimContext extends StoreContext {
  logger: SchedulerLogger;
}

/**
 * How the Firestore store claims: a transaction that reads only the documents it means to claim,
 * re-checks them and writes the lease. Firestore has no SKIP LOCKED: concurrent claimers of the same
 * head of the queue make each other's transactions abort, so after a lost race this store spreads
 * its picks at random over a wider window of due tasks for a while.
 */
export class ClaimStrategy {
  /** Until when (real time, ms) claims spread out at random after a lost race. */
  private contendedUntil = 0;

  constructor(private readonly context: ClaimContext) {}

  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    const kinds = unique(request.kinds);
    if (kinds.length === 0 || !(request.limit >= 1)) return [];
    const limit = Math.min(Math.floor(request.limit), WRITES_PER_COMMIT);
    const { collections, clock } = this.context;

    return runContended(
      this.context.firestore,
      CLAIM_ATTEMPTS,
      async (tx, attempt) => {
        const now = clock.now();
        // The candidates come from a plain query, outside the transaction: the transaction then
        // reads (and so conflicts on) only the documents it means to claim, not the whole head of
        // the queue. Uncontended, a claim takes the earliest tasks, in runAt order. A lost race
        // means other instances are claiming the same head: for a while (real time: contention is
        // about the network, not the scheduler's clock) this store picks at random among a wider
        // window of due tasks, so that concurrent claimers mostly pick different documents.
        if (attempt > 1) this.contendedUntil = Date.now() + CONTENDED_FOR_MS;
        const spread = attempt > 1 || Date.now() < this.contendedUntil;
        const window = spread ? limit * CONTENDED_WINDOW : limit;
        const due = await this.candidates(kinds, now, window);
        const picked = spread ? sample(due, limit) : due.slice(0, limit);
        if (picked.length === 0) return [];
        const snaps = await tx.getAll(...picked.map((task) => collections.taskRef(task.slug)));
        const lockedUntil = new Date(now.getTime() + request.leaseMs);
        const claimed: StoreTask[] = [];
        for (const snap of snaps) {
          if (!snap.exists) continue;
          const task = decodeTask(snap);
          // Re-checked inside the transaction: a task claimed since the query is skipped, and a
          // claim that commits after this read makes this transaction abort (and retry).
          if (!isClaimable(task, now)) continue;
          const next: StoreTask = {
            ...task,
            lockedBy: request.owner,
            lockedUntil,
            version: task.version + 1,
            updatedAt: now,
          };
          tx.update(collections.taskRef(task.slug), stateFields(next));
          claimed.push(next);
        }
        return claimed.sort(byRunAtThenSlug);
      },
      // Every attempt lost a race to other claimers: nothing claimed this time, the loop polls again.
      () => [],
    );
  }

  /** Up to `window` claimable tasks of `kinds` at `now`, earliest runAt first (a plain read). */
  private async candidates(kinds: readonly string[], now: Date, window: number): Promise<StoreTask[]> {
    const candidates: StoreTask[] = [];
    for (const chunk of chunks(kinds, MAX_IN_VALUES)) {
      // Idle tasks and tasks whose lease ran out, each in availableAt order; merged by runAt below.
      for (const leased of [false, true]) {
        const snap = await this.context.collections.tasks
          .where(TASK_FIELDS.kind, 'in', chunk)
          .where(TASK_FIELDS.leased, '==', leased)
          .where(TASK_FIELDS.availableAt, '<=', now)
          .orderBy(TASK_FIELDS.availableAt)
          .limit(window)
          .get();
        for (const doc of snap.docs) {
          try {
            candidates.push(decodeTask(doc));
          } catch (error) {
            // A hand-edited or foreign document must not stop every claim of its kinds.
            await this.park(doc.ref, error, now);
          }
        }
      }
    }
    return candidates
      .filter((task) => isClaimable(task, now))
      .sort(byRunAtThenSlug)
      .slice(0, window);
  }

  /** Marks a document that cannot be read as a task failed (never claimed again), with the reason. */
  private async park(ref: DocumentReference, error: unknown, now: Date): Promise<void> {
    const { logger } = this.context;
    const reason = messages.runFailures.unreadableTask(errorMessage(error));
    try {
      await ref.update({ failed: true, availableAt: null, result: reason, updatedAt: now });
      logger.error(`Task document ${ref.id}: ${reason}`);
    } catch (parkError) {
      logger.error(
        `Task document ${ref.id} cannot be read (${reason}) nor marked failed: ${errorMessage(parkError)}`,
      );
    }
  }
}

function byRunAtThenSlug(a: StoreTask, b: StoreTask): number {
  return a.runAt.getTime() - b.runAt.getTime() || compareSlugs(a.slug, b.slug);
}

/** `count` items of `items` at random, in their original order. */
function sample<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const indexes = items.map((_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}
