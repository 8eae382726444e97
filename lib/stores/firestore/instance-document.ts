import type { InstanceInfo, InstanceRecord } from '../../core/store/job-store.js';
import { readBoolean, readDate, readNullable, readNumber, readString, toWellFormed } from './document.js';

/** One instance of the registry as a document (id: the encoded instance id). */
export interface InstanceDocument {
  instanceId: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  /** The writer's clock at the write (Firestore queries cannot use the server's clock). */
  lastSeenAt: Date;
  kinds: string[];
  inFlight: number;
  health: {
    running: boolean;
    lastPollAt: Date | null;
    lastStoreError: string | null;
    consecutiveStoreErrors: number;
  };
}

/** Field names the registry queries on. */
export const INSTANCE_FIELDS = { lastSeenAt: 'lastSeenAt' } as const;

/** The document of an instance's record, seen at `now`. Free text is made well-formed (see `toWellFormed`). */
export function toInstanceDocument(info: InstanceInfo, now: Date): InstanceDocument {
  return {
    instanceId: info.instanceId,
    hostname: toWellFormed(info.hostname),
    pid: info.pid,
    startedAt: new Date(info.startedAt.getTime()),
    lastSeenAt: now,
    kinds: info.kinds.map(toWellFormed),
    inFlight: info.inFlight,
    health: {
      running: info.health.running,
      lastPollAt: info.health.lastPollAt === null ? null : new Date(info.health.lastPollAt.getTime()),
      lastStoreError: info.health.lastStoreError === null ? null : toWellFormed(info.health.lastStoreError),
      consecutiveStoreErrors: info.health.consecutiveStoreErrors,
    },
  };
}

/** An instance's record from its document. @throws TypeError when the document is not one. */
export function fromInstanceDocument(data: Record<string, unknown>): InstanceRecord {
  const health = (data.health ?? {}) as Record<string, unknown>;
  const kinds = data.kinds;
  if (!Array.isArray(kinds)) throw new TypeError('an instance document\'s "kinds" is not an array');
  return {
    instanceId: readString(data, 'instanceId'),
    hostname: readString(data, 'hostname'),
    pid: readNumber(data, 'pid'),
    startedAt: readDate(data, 'startedAt'),
    lastSeenAt: readDate(data, 'lastSeenAt'),
    kinds: kinds.map(String),
    inFlight: readNumber(data, 'inFlight'),
    health: {
      running: readBoolean(health, 'running'),
      lastPollAt: readNullable(health, 'lastPollAt', readDate),
      lastStoreError: readNullable(health, 'lastStoreError', readString),
      consecutiveStoreErrors: readNumber(health, 'consecutiveStoreErrors'),
    },
  };
}
