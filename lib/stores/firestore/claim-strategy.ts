import type { DocumentReference } from '@google-cloud/firestore';

import { errorMessage } from '../../core/error-text.js';
import { messages } from '../../core/errors/messages.js';
import type { StoreTask } from '../../core/job.js';
import type { SchedulerLogger } from '../../core/logger.js';
import type { ClaimRequest } from '../../core/store/job-store.js';
import { ClaimBudget, isLimited, startsInWindow, type KindLimits } from '../../core/store/claim-limits.js';
import { compareSlugs, holds, leaseIsLive } from '../../core/store/store-rules.js';
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

  /**
   * Kinds with limits first, each in a transaction of its own that also reads and writes the kind's
   * limit document (so that claims of the kind conflict, and one of two racing for the last slot
   * retries and sees it taken); then the other kinds together.
   */
  async claim(request: ClaimRequest): Promise<StoreTask[]> {
    const kinds = unique(request.kinds);
    if (kinds.length === 0 || !(request.limit >= 1)) return [];
    const limit = Math.min(Math.floor(request.limit), WRITES_PER_COMMIT);
    const claimed: StoreTask[] = [];
    const free: string[] = [];
    for (const kind of kinds) {
      const limits = request.limits?.[kind];
      if (!isLimited(limits)) {
        free.push(kind);
        continue;
      }
      if (claimed.length >= limit) continue;
      claimed.push(...(await this.claimLimited(kind, limits, request, limit - claimed.length)));
    }
    if (free.length > 0 && claimed.length < limit) {
      claimed.push(...(await this.claimFree(free, request, limit - claimed.length)));
    }
    return claimed.sort(byClaimOrder);
  }

  /** Claims tasks of kinds without limits. */
  private async claimFree(kinds: string[], request: ClaimRequest, limit: number): Promise<StoreTask[]> {
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
          const next = leased(task, request.owner, lockedUntil, now);
          tx.update(collections.taskRef(task.slug), stateFields(next));
          claimed.push(next);
        }
        return claimed;
      },
      // Every attempt lost a race to other claimers: nothing claimed this time, the loop polls again.
      () => [],
    );
  }

  /**
   * Claims tasks of one kind with limits: in one transaction, the kind's limit document (its
   * holders: slug, version and owner of each lease it handed out; its recent start times) and the
   * holders' task documents tell the live leases (a holder whose task still has that owner, version
   * and a lease not run out), per key; `ClaimBudget` says which candidates may start; the claims
   * and the document (live holders plus the new ones, starts within the window plus the new ones)
   * are written together.
   */
  private async claimLimited(
    kind: string,
    limits: KindLimits,
    request: ClaimRequest,
    limit: number,
  ): Promise<StoreTask[]> {
    const { collections, clock } = this.context;
    const limitRef = collections.limitRef(kind);
    // Look past tasks whose key is at its limit (they stay due), a bounded way.
    const window = limits.keyConcurrency === undefined ? limit : Math.min(limit * 10, WRITES_PER_COMMIT);
    return runContended(
      this.context.firestore,
      CLAIM_ATTEMPTS,
      async (tx) => {
        const now = clock.now();
        const due = await this.candidates([kind], now, window);
        const limitSnap = await tx.get(limitRef);
        const stored = readLimitDocument(limitSnap.exists ? limitSnap.data() : undefined);
        const holderRefs = stored.holders.map((holder) => collections.taskRef(holder.slug));
        const candidateRefs = due.map((task) => collections.taskRef(task.slug));
        const snaps =
          holderRefs.length + candidateRefs.length === 0
            ? []
            : await tx.getAll(...holderRefs, ...candidateRefs);
        const holderTasks = snaps
          .slice(0, holderRefs.length)
          .map((snap) => (snap.exists ? decodeTask(snap) : null));
        const live = stored.holders.filter((holder, i) => {
          const task = holderTasks[i];
          return (
            task !== null && holds(task, holder.owner, holder.version) && leaseIsLive(task.lockedUntil, now)
          );
        });
        const runningByKey = new Map<string, number>();
        for (const holder of live) {
          if (holder.key !== null) runningByKey.set(holder.key, (runningByKey.get(holder.key) ?? 0) + 1);
        }
        const starts = startsInWindow(stored.starts, limits.rateLimit, now.getTime());
        const budget = new ClaimBudget(limits, {
          running: live.length,
          runningByKey,
          recentStarts: starts.length,
        });
        const lockedUntil = new Date(now.getTime() + request.leaseMs);
        const claimed: StoreTask[] = [];
        const candidates = snaps
          .slice(holderRefs.length)
          .filter((snap) => snap.exists)
          .map((snap) => decodeTask(snap))
          .sort(byClaimOrder);
        for (const task of candidates) {
          if (claimed.length >= limit || budget.remaining() <= 0) break;
          if (!isClaimable(task, now) || !budget.take(task.concurrencyKey)) continue;
          const next = leased(task, request.owner, lockedUntil, now);
          tx.update(collections.taskRef(task.slug), stateFields(next));
          claimed.push(next);
        }
        const holders = [
          ...live,
          ...claimed.map((task) => ({
            slug: task.slug,
            version: task.version,
            owner: request.owner,
            key: task.concurrencyKey ?? null,
          })),
        ];
        const newStarts =
          limits.rateLimit === undefined ? [] : [...starts, ...claimed.map(() => now.getTime())];
        tx.set(limitRef, { kind, holders, starts: newStarts, updatedAt: now });
        return claimed;
      },
      () => [],
    );
  }

  /** Up to `window` claimable tasks of `kinds` at `now`, earliest runAt first (a plain read). */
  private async candidates(kinds: readonly string[], now: Date, window: number): Promise<StoreTask[]> {
    const candidates: StoreTask[] = [];
    const seen = new Set<string>();
    for (const chunk of chunks(kinds, MAX_IN_VALUES)) {
      // Idle tasks by priority, then availableAt; idle tasks and tasks whose lease ran out in
      // availableAt order (this one also finds documents written before priorities, which lack the
      // field and so are left out of any query ordered on it). Merged in claim order below.
      const tasks = this.context.collections.tasks.where(TASK_FIELDS.kind, 'in', chunk);
      const queries = [
        tasks
          .where(TASK_FIELDS.leased, '==', false)
          .where(TASK_FIELDS.availableAt, '<=', now)
          .orderBy(TASK_FIELDS.priority, 'desc')
          .orderBy(TASK_FIELDS.availableAt),
        ...[false, true].map((leased) =>
          tasks
            .where(TASK_FIELDS.leased, '==', leased)
            .where(TASK_FIELDS.availableAt, '<=', now)
            .orderBy(TASK_FIELDS.availableAt),
        ),
      ];
      for (const query of queries) {
        const snap = await query.limit(window).get();
        for (const doc of snap.docs) {
          if (seen.has(doc.id)) continue;
          seen.add(doc.id);
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
      .sort(byClaimOrder)
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

/** Claim order: higher priority first, then earlier runAt, then slug. */
function byClaimOrder(a: StoreTask, b: StoreTask): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || compareSlugs(a.slug, b.slug);
}

/** A lease a limit document counts: the claim that made it (task at that version, that owner). */
interface LimitHolder {
  slug: string;
  version: number;
  owner: string;
  key: string | null;
}

/** A limit document as stored; anything unreadable in it reads as nothing (it only ever under-counts a lease that is gone). */
function readLimitDocument(data: Record<string, unknown> | undefined): {
  holders: LimitHolder[];
  starts: number[];
} {
  const holders = Array.isArray(data?.holders) ? (data.holders as unknown[]) : [];
  const starts = Array.isArray(data?.starts) ? (data.starts as unknown[]) : [];
  return {
    holders: holders
      .filter(
        (h): h is LimitHolder =>
          typeof h === 'object' &&
          h !== null &&
          typeof (h as LimitHolder).slug === 'string' &&
          typeof (h as LimitHolder).version === 'number' &&
          typeof (h as LimitHolder).owner === 'string',
      )
      .map((h) => ({
        slug: h.slug,
        version: h.version,
        owner: h.owner,
        key: typeof h.key === 'string' ? h.key : null,
      })),
    starts: starts.filter((at): at is number => typeof at === 'number'),
  };
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

/** A task as a claim leaves it: leased to `owner` until `lockedUntil`, under a new version (the fencing token). */
function leased(task: StoreTask, owner: string, lockedUntil: Date, now: Date): StoreTask {
  return { ...task, lockedBy: owner, lockedUntil, version: task.version + 1, updatedAt: now };
}
