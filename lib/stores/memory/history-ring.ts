import type { HistoryRecord } from '../../core/store/job-store.js';

/**
 * Execution history in a fixed-size ring: once full, each new record overwrites the oldest, so a
 * long-running process keeps a bounded amount of history whatever the retention setting.
 * Records are copied in and out so that callers never share `Date`s with the store.
 */
export class HistoryRing {
  private buffer: (HistoryRecord | undefined)[];
  private start = 0;
  private count = 0;

  /** @param capacity how many records the ring keeps; 0 keeps none */
  constructor(private readonly capacity: number) {
    this.buffer = new Array<HistoryRecord | undefined>(capacity);
  }

  /** How many records the ring holds. */
  get size(): number {
    return this.count;
  }

  /** Appends records, overwriting the oldest ones when full. */
  append(records: readonly HistoryRecord[]): void {
    if (this.capacity === 0) return;
    for (const record of records) {
      const copy = copyRecord(record);
      if (this.count < this.capacity) {
        this.buffer[(this.start + this.count) % this.capacity] = copy;
        this.count += 1;
      } else {
        this.buffer[this.start] = copy;
        this.start = (this.start + 1) % this.capacity;
      }
    }
  }

  /** A slug's records, newest first (by `finishedAt`, then latest appended), at most `limit`. */
  forSlug(slug: string, limit: number): HistoryRecord[] {
    if (limit <= 0) return [];
    const found: HistoryRecord[] = [];
    for (let i = this.count - 1; i >= 0; i -= 1) {
      const record = this.at(i);
      if (record.slug === slug) found.push(record);
    }
    // A stable sort keeps the latest-appended first among equal finish times.
    found.sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime());
    return found.slice(0, limit).map(copyRecord);
  }

  /** Drops the records that finished before `before`; returns how many. */
  prune(before: Date): number {
    const limit = before.getTime();
    const kept: HistoryRecord[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const record = this.at(i);
      if (record.finishedAt.getTime() >= limit) kept.push(record);
    }
    const removed = this.count - kept.length;
    if (removed > 0) {
      this.buffer = new Array<HistoryRecord | undefined>(this.capacity);
      kept.forEach((record, i) => (this.buffer[i] = record));
      this.start = 0;
      this.count = kept.length;
    }
    return removed;
  }

  /** The records that finished at or after `since` (the ring's own objects: read, never hand out). */
  *finishedSince(since: Date): Generator<HistoryRecord> {
    const limit = since.getTime();
    for (let i = 0; i < this.count; i += 1) {
      const record = this.at(i);
      if (record.finishedAt.getTime() >= limit) yield record;
    }
  }

  /** Forgets every record. */
  clear(): void {
    this.buffer = new Array<HistoryRecord | undefined>(this.capacity);
    this.start = 0;
    this.count = 0;
  }

  /** The i-th record from the oldest. */
  private at(i: number): HistoryRecord {
    return this.buffer[(this.start + i) % this.capacity] as HistoryRecord;
  }
}

function copyRecord(record: HistoryRecord): HistoryRecord {
  return {
    slug: record.slug,
    kind: record.kind,
    scheduledAt: new Date(record.scheduledAt.getTime()),
    startedAt: new Date(record.startedAt.getTime()),
    finishedAt: new Date(record.finishedAt.getTime()),
    outcome: record.outcome,
    error: record.error,
    attempt: record.attempt,
    instanceId: record.instanceId,
  };
}
