/**
 * What the commands print: aligned tables and key-value listings for people, JSON for scripts.
 * JSON keeps every field (times as ISO 8601, a Buffer payload as `{ "type": "Buffer", "base64": … }`);
 * tables shorten long text to one line.
 */
import { stateOf } from '../core/job-state.js';
import type { ScheduledJob, StoreTask } from '../core/job.js';
import type { Payload } from '../core/payload.js';
import type { HistoryRecord, InstanceRecord, KindCounts } from '../core/store/job-store.js';
import { relativeTime, shortDuration } from '../console/format.js';
import { scheduleInWords } from '../console/schedule-words.js';

/** The widest a table cell gets before it is cut (with `…`). */
const MAX_CELL = 60;

/** Rows under a header, each column as wide as its widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(oneLine));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `key  value` lines, keys aligned. */
export function listing(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join('\n') + '\n';
}

/** Pretty JSON with a trailing newline; Buffers as base64. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}

function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(raw)) return { type: 'Buffer', base64: raw.toString('base64') };
  return value;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/** A task from `listJobs` in the shape `getScheduledJob` returns (the CLI's one task shape). */
export function asScheduledJob(task: StoreTask, now: Date): ScheduledJob {
  return {
    slug: task.slug,
    kind: task.kind,
    nextRunTime: task.runAt,
    priority: task.priority,
    ...(task.concurrencyKey !== undefined && { concurrencyKey: task.concurrencyKey }),
    payload: task.payload,
    incarnation: task.incarnation,
    retry: task.retry,
    result: task.result,
    failed: task.failed,
    paused: task.paused,
    state: stateOf(task, now),
    schedule: task.schedule,
    lockedBy: task.lockedBy,
    lockedUntil: task.lockedUntil,
    version: task.version,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...(task.traceContext && { traceContext: task.traceContext }),
  };
}

/** The task table of `list`. */
export function taskTable(jobs: readonly ScheduledJob[], now: Date): string {
  return table(
    ['SLUG', 'KIND', 'STATE', 'NEXT RUN', 'RETRY', 'SCHEDULE', 'LAST RESULT'],
    jobs.map((job) => [
      job.slug,
      job.kind,
      job.state,
      job.state === 'failed'
        ? '-'
        : `${job.nextRunTime.toISOString()} (${relativeTime(job.nextRunTime, now)})`,
      String(job.retry),
      scheduleInWords(job.schedule),
      job.result ?? '',
    ]),
  );
}

/** Every field of one task (`show`). */
export function taskListing(job: ScheduledJob, now: Date): string {
  const pairs: Array<[string, string]> = [
    ['slug', job.slug],
    ['kind', job.kind],
    ['state', job.state],
    ['next run', `${job.nextRunTime.toISOString()} (${relativeTime(job.nextRunTime, now)})`],
    ['schedule', scheduleInWords(job.schedule)],
    ['retry', String(job.retry)],
    ['last result', job.result ?? '-'],
    ['failed', job.failed ? 'yes' : 'no'],
    ['paused', job.paused ? 'yes' : 'no'],
    ['locked by', job.lockedBy ?? '-'],
    ['locked until', job.lockedUntil?.toISOString() ?? '-'],
    ['version', String(job.version)],
    ['incarnation', job.incarnation],
    ['created', job.createdAt.toISOString()],
    ['updated', job.updatedAt.toISOString()],
  ];
  if (job.traceContext?.traceparent) pairs.push(['traceparent', job.traceContext.traceparent]);
  pairs.push(['payload', payloadText(job.payload)]);
  return listing(pairs);
}

function payloadText(payload: Payload): string {
  if (Buffer.isBuffer(payload)) return `<${payload.length} bytes> ${payload.toString('base64')}`;
  return JSON.stringify(payload);
}

/** The history table of `history`. */
export function historyTable(records: readonly HistoryRecord[]): string {
  return table(
    ['FINISHED', 'OUTCOME', 'ATTEMPT', 'DURATION', 'LATE BY', 'INSTANCE', 'ERROR'],
    records.map((record) => [
      record.finishedAt.toISOString(),
      record.outcome,
      String(record.attempt),
      shortDuration(record.finishedAt.getTime() - record.startedAt.getTime()),
      shortDuration(Math.max(0, record.startedAt.getTime() - record.scheduledAt.getTime())),
      record.instanceId,
      record.error ?? '',
    ]),
  );
}

/** The per-kind counts of `status`, with a total row. */
export function countsTable(counts: readonly KindCounts[]): string {
  const total = { kind: 'TOTAL', scheduled: 0, running: 0, failed: 0, paused: 0 };
  for (const row of counts) {
    total.scheduled += row.scheduled;
    total.running += row.running;
    total.failed += row.failed;
    total.paused += row.paused;
  }
  return table(
    ['KIND', 'SCHEDULED', 'RUNNING', 'FAILED', 'PAUSED'],
    [...counts, total].map((row) => [
      row.kind,
      String(row.scheduled),
      String(row.running),
      String(row.failed),
      String(row.paused),
    ]),
  );
}

/** The live instances of `status`. */
export function instancesTable(instances: readonly InstanceRecord[], now: Date): string {
  return table(
    ['INSTANCE', 'HOST', 'PID', 'IN FLIGHT', 'LOOP', 'LAST SEEN', 'KINDS'],
    instances.map((instance) => [
      instance.instanceId,
      instance.hostname,
      String(instance.pid),
      String(instance.inFlight),
      loopHealth(instance),
      relativeTime(instance.lastSeenAt, now),
      instance.kinds.join(', '),
    ]),
  );
}

function loopHealth(instance: InstanceRecord): string {
  const { health } = instance;
  if (!health.running) return 'stopped';
  return health.lastStoreError === null ? 'ok' : `store errors (${health.consecutiveStoreErrors})`;
}
