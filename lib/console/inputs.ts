import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import type { JobState } from '../core/job.js';
import type { TriggerInput } from '../core/scheduler.types.js';
import { MAX_LIST_LIMIT } from '../core/arguments.js';
import { consoleMessages } from './errors/messages.js';

/**
 * Every input of the console API is read here: query parameters, route parameters and bodies are
 * checked before anything reaches the scheduler, and refused with an `InvalidArgumentError` (a 400
 * through `SchedulerExceptionFilter`) that names the parameter.
 */

const STATES: readonly JobState[] = ['scheduled', 'running', 'failed', 'paused'];

/** A page request of the task list. */
export interface TaskListQuery {
  kind?: string;
  state?: JobState;
  slugPrefix?: string;
  limit: number;
  cursor: string | null;
}

/** What a reschedule asks for: a new time, a new schedule, or both. */
export interface RescheduleInput {
  runAt?: Date;
  trigger?: TriggerInput;
}

type Query = Record<string, unknown> | undefined;

/** `GET <path>/api/tasks` (and the task pages): `kind`, `state`, `slugPrefix`, `limit`, `cursor`. */
export function parseTaskListQuery(query: Query, defaultLimit: number): TaskListQuery {
  onlyKnown(query, ['kind', 'state', 'slugPrefix', 'limit', 'cursor']);
  const state = optionalText(query, 'state');
  if (state !== undefined && !STATES.includes(state as JobState)) {
    throw new InvalidArgumentError(
      'state',
      `must be one of ${STATES.join(', ')}, not ${JSON.stringify(state)}`,
    );
  }
  return {
    kind: optionalText(query, 'kind'),
    state: state as JobState | undefined,
    slugPrefix: optionalText(query, 'slugPrefix', { allowEmpty: true }) || undefined,
    limit: optionalLimit(query, defaultLimit),
    cursor: optionalText(query, 'cursor') ?? null,
  };
}

/** `GET <path>/api/tasks/:slug/history`: `limit` (default 50). */
export function parseHistoryQuery(query: Query): { limit: number } {
  onlyKnown(query, ['limit']);
  return { limit: optionalLimit(query, 50) };
}

/** A route without query parameters. */
export function parseNoQuery(query: Query): void {
  onlyKnown(query, []);
}

/** A slug or a kind from the route: non-empty, without NUL (no store holds one). */
export function parseKey(name: 'slug' | 'kind', value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(name, 'must be a non-empty string');
  }
  assertNoNul(name, value);
  return value;
}

/**
 * The body of a reschedule: `{ "runAt": "2030-06-01T12:00:00Z" }`, `{ "cron": "0 9 * * 1-5",
 * "timeZone": "Europe/Lisbon" }`, `{ "every": "30s" }` (or ms), or a schedule with a `runAt`.
 */
export function parseReschedule(body: unknown): RescheduleInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidArgumentError(
      'body',
      'must be a JSON object such as { "runAt": "2030-06-01T12:00:00Z" }',
    );
  }
  const fields = body as Record<string, unknown>;
  onlyKnown(fields, ['runAt', 'cron', 'timeZone', 'every']);
  const input: RescheduleInput = {};
  if (fields.runAt !== undefined) {
    if (
      typeof fields.runAt !== 'string' ||
      !ISO_TIME.test(fields.runAt) ||
      Number.isNaN(Date.parse(fields.runAt))
    ) {
      throw new InvalidArgumentError(
        'runAt',
        'must be an ISO 8601 time with a zone, such as "2030-06-01T12:00:00Z"',
      );
    }
    input.runAt = new Date(fields.runAt);
  }
  if (fields.cron !== undefined && fields.every !== undefined) {
    throw new InvalidArgumentError('body', 'give cron or every, not both');
  }
  if (fields.cron !== undefined) {
    if (typeof fields.cron !== 'string' || fields.cron.trim() === '') {
      throw new InvalidArgumentError('cron', 'must be a non-empty string');
    }
    if (fields.timeZone !== undefined && typeof fields.timeZone !== 'string') {
      throw new InvalidArgumentError('timeZone', 'must be an IANA time zone name such as "Europe/Lisbon"');
    }
    input.trigger =
      fields.timeZone === undefined || fields.timeZone === ''
        ? { cron: fields.cron }
        : { cron: fields.cron, timeZone: fields.timeZone };
  } else if (fields.timeZone !== undefined) {
    throw new InvalidArgumentError('timeZone', 'applies only with cron');
  }
  if (fields.every !== undefined) {
    if (typeof fields.every !== 'string' && typeof fields.every !== 'number') {
      throw new InvalidArgumentError('every', 'must be milliseconds or a duration such as "1h30m"');
    }
    input.trigger = { every: fields.every };
  }
  if (input.runAt === undefined && input.trigger === undefined) {
    throw new InvalidArgumentError('body', 'give runAt, cron or every');
  }
  return input;
}

/** A time with a date, a time and a zone (`Z` or an offset): `Date.parse` alone accepts much more. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function onlyKnown(fields: Query, allowed: readonly string[]): void {
  for (const name of Object.keys(fields ?? {})) {
    if (!allowed.includes(name)) {
      throw new InvalidArgumentError('request', consoleMessages.unknownParameter(name, allowed));
    }
  }
}

function optionalText(
  query: Query,
  name: string,
  options: { allowEmpty?: boolean } = {},
): string | undefined {
  const value = query?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidArgumentError(name, 'must be given once, as text');
  if (value === '' && !options.allowEmpty) throw new InvalidArgumentError(name, 'must not be empty');
  assertNoNul(name, value);
  return value;
}

function optionalLimit(query: Query, fallback: number): number {
  const text = optionalText(query, 'limit');
  if (text === undefined) return fallback;
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) {
    throw new InvalidArgumentError('limit', `must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
  }
  return limit;
}

function assertNoNul(name: string, value: string): void {
  if (value.includes('\u0000')) throw new InvalidArgumentError(name, 'contains a NUL character (U+0000)');
}
