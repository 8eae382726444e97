import type { PostgresNames } from './names.js';
import type { BoundStatement, PostgresQueries } from './queries.js';
import { migrations, type Migration } from './migrations/index.js';

/** The part of a `pg` client migrations need. */
export interface MigrationClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Applies the migrations this table has not had yet, in one transaction, holding an advisory lock
 * on the table so that instances starting together apply each migration once (the others wait, then
 * find nothing to do). The schema is created only when missing, so a user without CREATE on the
 * database can run against a schema a DBA made. Returns the versions applied.
 */
export async function runMigrations(
  client: MigrationClient,
  names: PostgresNames,
  queries: PostgresQueries,
): Promise<number[]> {
  const run = (statement: BoundStatement) => client.query(statement.text, statement.values);
  await run(queries.begin.with());
  try {
    await run(queries.migrationLock.with({ key: names.migrationLockKey }));
    const schema = await run(queries.schemaExists.with({ schema: names.schema }));
    if (schema.rows.length === 0) await run(queries.createSchema.with());
    await run(queries.createMigrationsTable.with());
    const applied = new Set(
      (await run(queries.appliedMigrations.with())).rows.map((row) =>
        Number((row as { version: unknown }).version),
      ),
    );
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql(names));
      await run(queries.recordMigration.with({ version: migration.version, name: migration.name }));
      done.push(migration.version);
    }
    await run(queries.commit.with());
    return done;
  } catch (error) {
    await run(queries.rollback.with()).catch(() => undefined);
    throw error;
  }
}

/** A migration not applied yet, as `pendingMigrations` reports it. */
export interface PendingMigration {
  version: number;
  name: string;
  /** Its standalone script (see {@link renderMigrationFile}). */
  sql: string;
}

/**
 * The migrations this table has not had yet, each with its script, read without writing anything
 * (no lock, no schema or table created): what `migrate()` would apply now.
 */
export async function pendingMigrations(
  client: MigrationClient,
  names: PostgresNames,
  queries: PostgresQueries,
): Promise<PendingMigration[]> {
  const run = (statement: BoundStatement) => client.query(statement.text, statement.values);
  const exists = await run(queries.migrationsTableExists.with({ table: names.migrations }));
  const present = (exists.rows[0] as { present?: boolean } | undefined)?.present === true;
  const applied = new Set(
    present
      ? (await run(queries.appliedMigrations.with())).rows.map((row) =>
          Number((row as { version: unknown }).version),
        )
      : [],
  );
  return migrations
    .filter((migration) => !applied.has(migration.version))
    .map((migration) => ({
      version: migration.version,
      name: migration.name,
      sql: renderMigrationFile(migration, names, queries),
    }));
}

/**
 * One migration as a standalone script (the shipped `migrations/NNNN-name.sql` files are these,
 * rendered for `public.scheduler_tasks`): the same statements `migrate()` runs, recorded in the
 * migrations table, in one transaction under the same advisory lock. Every statement is idempotent.
 */
export function renderMigrationFile(
  migration: Migration,
  names: PostgresNames,
  queries: PostgresQueries,
): string {
  const id = String(migration.version).padStart(4, '0');
  const name = migration.name.replaceAll("'", "''");
  return [
    `-- nestjs-durable-scheduler, PostgreSQL migration ${id}-${migration.name} for ${names.tasks}.`,
    '-- Generated from the library source; PostgresStore.migrate() runs the same statements.',
    `${queries.begin.text};`,
    '',
    '-- Instances that migrate together apply each migration once: the others wait here.',
    `${queries.migrationLock.text.replace('$1::integer', String(names.migrationLockKey))};`,
    '',
    '-- The schema, only if missing (CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when it exists).',
    `${queries.createSchemaIfMissing.text};`,
    '',
    `${queries.createMigrationsTable.text};`,
    '',
    migration.sql(names),
    `${queries.recordMigration.text.replace('$1', String(migration.version)).replace('$2', `'${name}'`)};`,
    '',
    `${queries.commit.text};`,
    '',
  ].join('\n');
}

/** Every migration's script, in order: the whole schema for these names. */
export function renderMigrationScript(names: PostgresNames, queries: PostgresQueries): string {
  return migrations.map((migration) => renderMigrationFile(migration, names, queries)).join('\n');
}
