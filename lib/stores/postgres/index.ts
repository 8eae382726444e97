/**
 * The PostgreSQL store: `import { PostgresStore } from 'nestjs-durable-scheduler/postgres'`.
 * @module
 */
import { renderMigrationScript } from './migrate.js';
import { resolveNames } from './names.js';
import { buildQueries } from './queries.js';

export { PostgresStore } from './postgres-store.js';
export type {
  PostgresStoreOptions,
  PostgresStoreCommonOptions,
  PostgresPoolOptions,
  PostgresConnectionStringOptions,
  PostgresDataSourceOptions,
  TypeOrmDataSourceLike,
} from './options.js';
export type { PostgresNames } from './names.js';
export type { PendingMigration } from './migrate.js';
export { DEFAULT_SCHEMA, DEFAULT_TABLE_NAME, MAX_TABLE_NAME_LENGTH } from './names.js';

/**
 * The SQL that `PostgresStore.migrate()` runs, for a schema and table name of yours, as one script a
 * DBA can read and run (`psql -f`). The files in `lib/stores/postgres/migrations/*.sql` are this
 * script for the defaults (`public.scheduler_tasks`).
 *
 * @throws InvalidStoreOptionError for an invalid schema or table name.
 */
export function postgresMigrationSql(options: { schema?: string; tableName?: string } = {}): string {
  const names = resolveNames(options.schema, options.tableName);
  return renderMigrationScript(names, buildQueries(names));
}
