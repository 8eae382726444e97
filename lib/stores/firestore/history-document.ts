import type { ExecutionOutcome, HistoryRecord } from '../../core/store/job-store.js';
import { readDate, readNullable, readNumber, readString, toWellFormed } from './document.js';

/**
 * One execution record in the history collection (documents with generated ids).
 * `appendSeq` orders records that finished at the same millisecond: the later appended first.
 */
export interface HistoryDocument {
  /** The task's slug. */
  slug: string;
  kind: string;
  scheduledAt: Date;
  startedAt: Date;
  finishedAt: Date;
  outcome: ExecutionOutcome;
  error: string | null;
  attempt: number;
  instanceId: string;
  appendSeq: number;
}

/** Field names the history queries use. */
export const HISTORY_FIELDS = {
  slug: 'slug',
  kind: 'kind',
  outcome: 'outcome',
  finishedAt: 'finishedAt',
  appendSeq: 'appendSeq',
} as const;

const OUTCOMES: readonly ExecutionOutcome[] = ['succeeded', 'failed', 'lease-lost'];

/** The document that stores a history record. */
export function toHistoryDocument(record: HistoryRecord, appendSeq: number): HistoryDocument {
  const doc: HistoryDocument = {
    slug: record.slug,
    kind: record.kind,
    scheduledAt: new Date(record.scheduledAt.getTime()),
    startedAt: new Date(record.startedAt.getTime()),
    finishedAt: new Date(record.finishedAt.getTime()),
    outcome: record.outcome,
    error: record.error === null ? null : toWellFormed(record.error),
    attempt: record.attempt,
    instanceId: record.instanceId,
    appendSeq,
  };
  return doc;
}

/** A history record from its document. @throws TypeError when the document is not a history record. */
export function fromHistoryDocument(data: Record<string, unknown>): HistoryRecord {
  const outcome = readString(data, 'outcome') as ExecutionOutcome;
  if (!OUTCOMES.includes(outcome))
    throw new TypeError(`a history document has an unknown outcome "${outcome}"`);
  return {
    slug: readString(data, 'slug'),
    kind: readString(data, 'kind'),
    scheduledAt: readDate(data, 'scheduledAt'),
    startedAt: readDate(data, 'startedAt'),
    finishedAt: readDate(data, 'finishedAt'),
    outcome,
    error: readNullable(data, 'error', readString),
    attempt: readNumber(data, 'attempt'),
    instanceId: readString(data, 'instanceId'),
  };
}
