import type { PostgresNames } from '../names.js';
import type { Migration } from './migration.js';

/**
 * The instance registry: one row per running scheduler, overwritten every few seconds while it runs
 * and deleted on graceful stop (and by any instance an hour after a crashed one last wrote).
 *
 * Read with `0003-instances.sql` (the same statements rendered for `public.scheduler_tasks`).
 */
export const migration0003Instances: Migration = {
  version: 3,
  name: 'instances',
  sql: (
    n: PostgresNames,
  ) => `-- The instance registry: what each running scheduler last published about itself.
-- A handful of rows (one per instance), read whole: no index besides the primary key.
CREATE TABLE IF NOT EXISTS ${n.instances} (
  instance_id  text COLLATE "C" PRIMARY KEY,
  hostname     text NOT NULL,
  pid          integer NOT NULL,
  started_at   timestamptz NOT NULL,
  -- Stamped with the database clock (now()) by every write, and compared with it by every read.
  last_seen_at timestamptz NOT NULL,
  kinds        text[] NOT NULL,
  in_flight    integer NOT NULL,
  -- {"running":…,"lastPollAt":…,"lastStoreError":…,"consecutiveStoreErrors":…}
  health       jsonb NOT NULL
);
`,
};
