import { createHash } from 'node:crypto';

import { InvalidStoreOptionError } from '../../core/errors/invalid-store-option.error.js';

/**
 * A schema or table name we accept: letters, digits and underscores, not starting with a digit.
 * Nothing else ever reaches SQL text, so no escaping rule can be got wrong.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1) without an error. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * The longest table name allowed, so that every name derived from it (`<table>_history_finished_idx`,
 * the longest) stays within 63 bytes and PostgreSQL never truncates two names into one.
 */
export const MAX_TABLE_NAME_LENGTH = 40;

/** Default schema of the store's tables. */
export const DEFAULT_SCHEMA = 'public';
/** Default name of the tasks table. */
export const DEFAULT_TABLE_NAME = 'scheduler_tasks';

/** Every database object name the store uses, validated and already double-quoted for SQL text. */
export interface PostgresNames {
  /** Unquoted schema name. */
  schema: string;
  /** Unquoted tasks table name. */
  table: string;
  /** `"schema"` */
  schemaSql: string;
  /** `"schema"."table"` */
  tasks: string;
  /** `"schema"."table_history"` */
  history: string;
  /** `"schema"."table_migrations"` */
  migrations: string;
  /** `"schema"."table_instances"`: the instance registry. */
  instances: string;
  /** `"schema"."table_starts"`: recent starts of rate-limited kinds. */
  starts: string;
  /** Unqualified, quoted index names (an index always lives in its table's schema). */
  indexes: {
    /** The due index of migration 0001, replaced by `ready` in 0005. */
    due: string;
    /** Waiting tasks by (kind, priority, run_at): what claims and `nextRun` read. */
    ready: string;
    leased: string;
    parked: string;
    startsKind: string;
    historySlug: string;
    historyFinished: string;
  };
  /** The LISTEN/NOTIFY channel (unquoted; at most 63 bytes). */
  channel: string;
  /** `"channel"`, for LISTEN / UNLISTEN. */
  channelSql: string;
  /** A short hash of schema and table: keeps prepared statement names of two stores on one pool apart. */
  tag: string;
  /** The key (second half) of the advisory lock that serialises migrations of this table. */
  migrationLockKey: number;
  /** The first half of the advisory locks that serialise claims of a limited kind (the kind's hash is the second). */
  limitLockKey: number;
}

function quote(identifier: string): string {
  // Safe only because IDENTIFIER admits no quote character; kept as a function so the rule is in one place.
  return `"${identifier}"`;
}

function validate(option: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new InvalidStoreOptionError(
      option,
      `${JSON.stringify(value)} is not a plain identifier (letters, digits and underscores, not starting with a digit)`,
    );
  }
  if (value.length > maxLength) {
    throw new InvalidStoreOptionError(option, `"${value}" is longer than ${maxLength} characters`);
  }
  return value;
}

/**
 * Validates `schema` and `tableName` and derives every name from them.
 *
 * @throws InvalidStoreOptionError for a name that is not a plain identifier or is too long.
 */
export function resolveNames(
  schema: unknown = DEFAULT_SCHEMA,
  tableName: unknown = DEFAULT_TABLE_NAME,
): PostgresNames {
  const s = validate('schema', schema, MAX_IDENTIFIER_BYTES);
  const t = validate('tableName', tableName, MAX_TABLE_NAME_LENGTH);
  const digest = createHash('sha256').update(`${s}.${t}`).digest();
  const readableChannel = `${s}.${t}`;
  // A channel name longer than 63 bytes is refused by pg_notify, so long names fall back to a hash.
  const channel =
    readableChannel.length <= MAX_IDENTIFIER_BYTES
      ? readableChannel
      : `scheduler_${digest.toString('hex').slice(0, 32)}`;
  return {
    schema: s,
    table: t,
    schemaSql: quote(s),
    tasks: `${quote(s)}.${quote(t)}`,
    history: `${quote(s)}.${quote(`${t}_history`)}`,
    migrations: `${quote(s)}.${quote(`${t}_migrations`)}`,
    instances: `${quote(s)}.${quote(`${t}_instances`)}`,
    starts: `${quote(s)}.${quote(`${t}_starts`)}`,
    indexes: {
      due: quote(`${t}_due_idx`),
      ready: quote(`${t}_ready_idx`),
      leased: quote(`${t}_leased_idx`),
      parked: quote(`${t}_parked_idx`),
      startsKind: quote(`${t}_starts_kind_idx`),
      historySlug: quote(`${t}_history_slug_idx`),
      historyFinished: quote(`${t}_history_finished_idx`),
    },
    channel,
    channelSql: quote(channel),
    tag: digest.toString('hex').slice(0, 8),
    migrationLockKey: digest.readInt32BE(0),
    limitLockKey: digest.readInt32BE(4),
  };
}
