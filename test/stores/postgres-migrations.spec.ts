import { readFile, writeFile } from 'node:fs/promises';

import { silentLogger } from '../../lib/core/logger.js';
import { migrations } from '../../lib/stores/postgres/migrations/index.js';
import { renderMigrationFile } from '../../lib/stores/postgres/migrate.js';
import { resolveNames } from '../../lib/stores/postgres/names.js';
import { buildQueries } from '../../lib/stores/postgres/queries.js';
import { PostgresStore, postgresMigrationSql } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';

const db = usePostgresDatabase();

/** The shipped, readable SQL file of a migration (lib/stores/postgres/migrations/NNNN-name.sql). */
function sqlFileOf(version: number, name: string): URL {
  const file = `${String(version).padStart(4, '0')}-${name}.sql`;
  return new URL(`../../lib/stores/postgres/migrations/${file}`, import.meta.url);
}

describe('PostgresStore migrations', () => {
  it('run once from 5 stores starting at the same moment, without an error', async () => {
    const pool = db.pool({ max: 10 });
    const stores = Array.from(
      { length: 5 },
      () => new PostgresStore({ pool, schema: 'concurrent', logger: silentLogger, notify: false }),
    );
    try {
      const applied = await Promise.all(stores.map((store) => store.migrate()));
      // Exactly one store applied each migration; the others waited on the lock and found nothing to do.
      expect(applied.flat().sort()).toEqual(migrations.map((m) => m.version));
      const recorded = await db.query<{ version: number }>(
        'SELECT version FROM concurrent.scheduler_tasks_migrations ORDER BY version',
      );
      expect(recorded.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
      await Promise.all(stores.map((store) => store.init()));
      expect(await stores[0].migrate()).toEqual([]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('leave the schema alone with migrate: false, and create it on migrate()', async () => {
    const pool = db.pool({ max: 2 });
    const store = new PostgresStore({ pool, schema: 'deploy_time', migrate: false, logger: silentLogger });
    try {
      await store.init();
      expect(await db.query("SELECT 1 FROM pg_namespace WHERE nspname = 'deploy_time'")).toEqual([]);
      expect(await store.migrate()).toEqual(migrations.map((m) => m.version));
      expect(await store.getSlugs()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('report the pending ones, with their SQL, without writing anything', async () => {
    const pool = db.pool({ max: 2 });
    const store = new PostgresStore({ pool, schema: 'dry_run', migrate: false, logger: silentLogger });
    try {
      const pending = await store.pendingMigrations();
      expect(pending.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
      expect(pending[0]!.sql).toContain('CREATE TABLE IF NOT EXISTS "dry_run"."scheduler_tasks"');
      expect(await db.query("SELECT 1 FROM pg_namespace WHERE nspname = 'dry_run'")).toEqual([]);
      await store.migrate();
      expect(await store.pendingMigrations()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('ship each migration as readable SQL that matches what migrate() runs', async () => {
    const names = resolveNames();
    const queries = buildQueries(names);
    for (const migration of migrations) {
      const expected = renderMigrationFile(migration, names, queries);
      const file = sqlFileOf(migration.version, migration.name);
      // UPDATE_POSTGRES_SQL=1 npm test -- test/stores/postgres-migrations.spec.ts rewrites the files.
      if (process.env.UPDATE_POSTGRES_SQL === '1') await writeFile(file, expected);
      expect(await readFile(file, 'utf8')).toEqual(expected);
    }
    expect(postgresMigrationSql()).toEqual(
      migrations.map((m) => renderMigrationFile(m, names, queries)).join('\n'),
    );
  });

  it('accept a schema a DBA created by hand from the shipped SQL: migrate() then has nothing to do', async () => {
    const names = resolveNames();
    for (const migration of migrations) {
      await db.query(await readFile(sqlFileOf(migration.version, migration.name), 'utf8'));
    }
    const pool = db.pool({ max: 2 });
    const store = new PostgresStore({ pool, logger: silentLogger, notify: false });
    try {
      expect(await store.migrate()).toEqual([]);
      await store.create({ slug: 'by-hand', kind: 'k', payload: null, runAt: new Date(0), schedule: null });
      expect(
        (await store.claim({ kinds: ['k'], owner: 'o', leaseMs: 1000, limit: 1 })).map((t) => t.slug),
      ).toEqual(['by-hand']);
      expect(names.tasks).toBe('"public"."scheduler_tasks"');
    } finally {
      await store.close();
    }
  });

  it('render the SQL for other names, quoted', () => {
    const sql = postgresMigrationSql({ schema: 'Jobs', tableName: 'my_tasks' });
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "Jobs"."my_tasks" (');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "Jobs"."my_tasks_history" (');
    expect(sql).not.toContain('scheduler_tasks');
  });
});
