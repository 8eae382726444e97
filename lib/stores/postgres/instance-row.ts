import type { InstanceInfo, InstanceRecord } from '../../core/store/job-store.js';
import { storableText } from './row-mapping.js';

/** An instance row as `listInstances` returns it. */
export interface InstanceRow {
  instance_id: string;
  hostname: string;
  pid: number | string;
  started_at_ms: number | string;
  last_seen_at_ms: number | string;
  kinds_json: string;
  in_flight: number | string;
  health_json: string;
}

/** The health column's JSON (times as epoch ms). */
export interface HealthJson {
  running: boolean;
  lastPollAt: number | null;
  lastStoreError: string | null;
  consecutiveStoreErrors: number;
}

/** The health column's JSON for an instance's health (free text with any NUL replaced). */
export function healthJson(health: InstanceInfo['health']): HealthJson {
  return {
    running: health.running,
    lastPollAt: health.lastPollAt === null ? null : health.lastPollAt.getTime(),
    lastStoreError: storableText(health.lastStoreError),
    consecutiveStoreErrors: health.consecutiveStoreErrors,
  };
}

/** The instance a row describes. */
export function rowToInstance(row: InstanceRow): InstanceRecord {
  const health = JSON.parse(row.health_json) as HealthJson;
  return {
    instanceId: row.instance_id,
    hostname: row.hostname,
    pid: Number(row.pid),
    startedAt: new Date(Number(row.started_at_ms)),
    lastSeenAt: new Date(Number(row.last_seen_at_ms)),
    kinds: JSON.parse(row.kinds_json) as string[],
    inFlight: Number(row.in_flight),
    health: {
      running: health.running,
      lastPollAt: health.lastPollAt === null ? null : new Date(health.lastPollAt),
      lastStoreError: health.lastStoreError,
      consecutiveStoreErrors: health.consecutiveStoreErrors,
    },
  };
}
