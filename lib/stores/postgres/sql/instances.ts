/**
 * The instance registry: each running scheduler records itself (upsert by id) at every publish;
 * records not refreshed within a max age are left out of the list and pruned. Ages are measured
 * with the database clock, which also stamps `last_seen_at`.
 */
import type { InstanceInfo } from '../../../core/store/job-store.js';
import { healthJson } from '../instance-row.js';
import type { PostgresNames } from '../names.js';
import { storableText, timestampParam } from '../row-mapping.js';
import { ms } from './fragments.js';
import { statement } from './statement.js';

/** now() minus a parameter in milliseconds. */
const ago = (param: string): string => `now() - ${param}::float8 * interval '1 millisecond'`;

const maxAge = (a: { maxAgeMs: number }) => a;

export function instanceStatements(n: PostgresNames) {
  const I = n.instances;
  const instanceColumns = `i.instance_id, i.hostname, i.pid, ${ms('i.started_at')} AS started_at_ms,
       ${ms('i.last_seen_at')} AS last_seen_at_ms, to_json(i.kinds)::text AS kinds_json, i.in_flight,
       i.health::text AS health_json`;
  return {
    /**
     * last_seen_at is now(). Free text (host name, kinds, the last store error) has any NUL replaced,
     * since neither text nor jsonb can hold one: a record is a view, it must not fail on that.
     */
    recordInstance: statement(
      'record_instance',
      ['id', 'hostname', 'pid', 'startedAt', 'kinds', 'inFlight', 'health'],
      (p) => `
INSERT INTO ${I} AS i (instance_id, hostname, pid, started_at, last_seen_at, kinds, in_flight, health)
VALUES (${p.id}, ${p.hostname}, ${p.pid}::integer, ${p.startedAt}::timestamptz, now(), ${p.kinds}::text[], ${p.inFlight}::integer, ${p.health}::jsonb)
ON CONFLICT (instance_id) DO UPDATE SET
  hostname = EXCLUDED.hostname,
  pid = EXCLUDED.pid,
  started_at = EXCLUDED.started_at,
  last_seen_at = EXCLUDED.last_seen_at,
  kinds = EXCLUDED.kinds,
  in_flight = EXCLUDED.in_flight,
  health = EXCLUDED.health`,
      (info: InstanceInfo) => ({
        id: info.instanceId,
        hostname: storableText(info.hostname),
        pid: info.pid,
        startedAt: timestampParam('startedAt', info.startedAt),
        kinds: info.kinds.map((kind) => storableText(kind)),
        inFlight: info.inFlight,
        health: JSON.stringify(healthJson(info.health)),
      }),
    ),

    removeInstance: statement(
      'remove_instance',
      ['id'],
      (p) => `DELETE FROM ${I} AS i WHERE i.instance_id = ${p.id} RETURNING i.instance_id`,
      (a: { id: string }) => a,
    ),

    /** The instances heard from since now() minus the max age. */
    listInstances: statement(
      'list_instances',
      ['maxAgeMs'],
      (p) => `
SELECT ${instanceColumns}
FROM ${I} AS i
WHERE i.last_seen_at >= ${ago(p.maxAgeMs)}
ORDER BY i.instance_id`,
      maxAge,
    ),

    /** Deletes the records of instances not heard from since now() minus the max age. */
    pruneInstances: statement(
      'prune_instances',
      ['maxAgeMs'],
      (p) => `
WITH deleted AS (DELETE FROM ${I} AS i WHERE i.last_seen_at < ${ago(p.maxAgeMs)} RETURNING 1)
SELECT count(*)::integer AS deleted FROM deleted`,
      maxAge,
    ),
  };
}
