/**
 * The statements around the migrations (the migrations' own DDL is in `../migrations/`): the
 * transaction, the advisory lock that serialises instances migrating together, the schema, and the
 * table that records which migrations a table has had. The schema name in `createSchemaIfMissing` is
 * a validated identifier, so it is safe inside a literal too.
 */
import type { PostgresNames } from '../names.js';
import { statement } from './statement.js';

/** The first half of the migration advisory lock: a constant of this library ("ndsm"). */
export const MIGRATION_LOCK_CLASS = 0x6e64736d;

export function migrationStatements(n: PostgresNames) {
  return {
    begin: statement('begin', 'BEGIN'),
    commit: statement('commit', 'COMMIT'),
    rollback: statement('rollback', 'ROLLBACK'),
    /** Inside a caller's transaction: a point to undo a failed part of it to (`createMany`). */
    savepoint: statement('savepoint', 'SAVEPOINT nds_create_many'),
    releaseSavepoint: statement('release_savepoint', 'RELEASE SAVEPOINT nds_create_many'),
    rollbackToSavepoint: statement('rollback_to_savepoint', 'ROLLBACK TO SAVEPOINT nds_create_many'),
    /** Serialises migrations of this table across instances until the transaction ends. */
    migrationLock: statement(
      'migration_lock',
      ['key'],
      (p) => `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}, ${p.key}::integer)`,
      (a: { key: number }) => a,
    ),
    schemaExists: statement(
      'schema_exists',
      ['schema'],
      (p) => `SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${p.schema}`,
      (a: { schema: string }) => a,
    ),
    createSchema: statement('create_schema', `CREATE SCHEMA IF NOT EXISTS ${n.schemaSql}`),
    /**
     * The shipped SQL files' form of `schemaExists` + `createSchema` (CREATE SCHEMA IF NOT EXISTS
     * needs CREATE on the database even when the schema exists).
     */
    createSchemaIfMissing: statement(
      'create_schema_if_missing',
      `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '${n.schema}') THEN
    CREATE SCHEMA ${n.schemaSql};
  END IF;
END $$`,
    ),
    createMigrationsTable: statement(
      'create_migrations_table',
      `
CREATE TABLE IF NOT EXISTS ${n.migrations} (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
    ),
    appliedMigrations: statement(
      'applied_migrations',
      `SELECT version FROM ${n.migrations} ORDER BY version`,
    ),
    /** Whether the migrations table exists (a read that creates nothing). */
    migrationsTableExists: statement(
      'migrations_table_exists',
      ['table'],
      (p) => `SELECT to_regclass(${p.table}::text) IS NOT NULL AS present`,
      (a: { table: string }) => a,
    ),
    recordMigration: statement(
      'record_migration',
      ['version', 'name'],
      (p) =>
        `INSERT INTO ${n.migrations} (version, name) VALUES (${p.version}, ${p.name}) ON CONFLICT (version) DO NOTHING`,
      (a: { version: number; name: string }) => a,
    ),
  };
}
