import type { PostgresNames } from '../names.js';
import type { Migration } from './migration.js';

/**
 * The incarnation of a task: which creation of its slug a row is. Read with `0002-incarnation.sql`.
 *
 * A nullable column without a default, so that adding it rewrites nothing (rows written before it
 * read as the incarnation `''`); every create and replace sets a new one.
 */
export const migration0002Incarnation: Migration = {
  version: 2,
  name: 'incarnation',
  sql: (
    n: PostgresNames,
  ) => `-- Set anew by every create and replace, never by a claim or an update: a run of a task that was
-- replaced (or deleted and created again) meanwhile is never taken for a run of its successor.
ALTER TABLE ${n.tasks} ADD COLUMN IF NOT EXISTS incarnation text;`,
};
