import type { DocumentReference } from '@google-cloud/firestore';

import type { StoreTask } from '../../core/job.js';
import { clonePayload } from '../../core/payload.js';
import type { LeaseRef, SettleResult, TaskOutcome } from '../../core/store/job-store.js';
import { chunks, WRITES_PER_COMMIT } from './batches.js';
import { decodeTask, type StoreContext } from './collections.js';
import { runContended, TX_ATTEMPTS } from './contention.js';
import { encodePayload, stateFields } from './document.js';

/**
 * The writes about claimed tasks: extending leases, settling outcomes, giving leases back. Each
 * batch is one transaction that checks owner and version first (fencing), a commit of at most a
 * few hundred writes at a time.
 */
export class HeldTasks {
  constructor(private readonly context: StoreContext) {}

  /** Returns the slugs still held (their lease now ends `leaseMs` from now). */
  async extendLeases(owner: string, leases: readonly LeaseRef[], leaseMs: number): Promise<string[]> {
    const held: string[] = [];
    for (const batch of chunks(leases, WRITES_PER_COMMIT)) {
      const kept = await this.onHeld(owner, batch, (task, now) => ({
        ...task,
        lockedUntil: new Date(now.getTime() + leaseMs),
        updatedAt: now,
      }));
      held.push(...kept.applied);
    }
    return held;
  }

  /** Deletes or reschedules each task (the outcomes already checked). */
  async settle(owner: string, outcomes: readonly TaskOutcome[]): Promise<SettleResult> {
    const result: SettleResult = { applied: [], rejected: [] };
    for (const batch of chunks(outcomes, WRITES_PER_COMMIT)) {
      const part = await this.onHeld(owner, batch, (task, now, outcome) => {
        if (outcome.type === 'delete') return null;
        return {
          ...task,
          runAt: new Date(outcome.runAt.getTime()),
          retry: outcome.retry,
          result: outcome.result,
          failed: outcome.failed,
          payload: outcome.payload === undefined ? task.payload : clonePayload(outcome.payload),
          lockedBy: null,
          lockedUntil: null,
          version: task.version + 1,
          updatedAt: now,
        };
      });
      result.applied.push(...part.applied);
      result.rejected.push(...part.rejected);
    }
    return result;
  }

  async release(owner: string, leases: readonly LeaseRef[]): Promise<void> {
    for (const batch of chunks(leases, WRITES_PER_COMMIT)) {
      await this.onHeld(owner, batch, (task, now) => ({
        ...task,
        lockedBy: null,
        lockedUntil: null,
        updatedAt: now,
      }));
    }
  }

  /**
   * Applies `change` to each task `owner` holds at the given version, in one transaction (the
   * fencing check and the write are atomic). `change` returns the task as it will be, or null to
   * delete it. Tasks not held are reported as rejected.
   */
  private onHeld<L extends LeaseRef>(
    owner: string,
    leases: readonly L[],
    change: (task: StoreTask, now: Date, lease: L) => StoreTask | null,
  ): Promise<SettleResult> {
    if (leases.length === 0) return Promise.resolve({ applied: [], rejected: [] });
    const refs = new Map<string, DocumentReference>();
    for (const lease of leases) refs.set(lease.slug, this.context.collections.taskRef(lease.slug));
    return runContended(this.context.firestore, TX_ATTEMPTS, async (tx) => {
      const snaps = await tx.getAll(...refs.values());
      const current = new Map<string, StoreTask | null>();
      [...refs.keys()].forEach((slug, i) => current.set(slug, snaps[i].exists ? decodeTask(snaps[i]) : null));
      const now = this.context.clock.now();
      const result: SettleResult = { applied: [], rejected: [] };
      for (const lease of leases) {
        const task = current.get(lease.slug) ?? null;
        if (task === null || task.lockedBy !== owner || task.version !== lease.version) {
          result.rejected.push(lease.slug);
          continue;
        }
        const next = change(task, now, lease);
        const ref = refs.get(lease.slug) as DocumentReference;
        if (next === null) {
          tx.delete(ref);
          current.set(lease.slug, null);
        } else {
          const payload = next.payload === task.payload ? {} : { payload: encodePayload(next.payload) };
          tx.update(ref, { ...stateFields(next), ...payload });
          current.set(lease.slug, next);
        }
        result.applied.push(lease.slug);
      }
      return result;
    });
  }
}
