import type { Command } from 'commander';

import type { CliIo } from '../cli-io.js';
import { CliUsageError } from '../errors/cli-usage.error.js';
import { cliMessages } from '../errors/messages.js';
import {
  loadPostgres,
  storeTarget,
  withConnection,
  withStoreOptions,
  type StoreOptions,
} from '../store-connection.js';

interface MigrateOptions extends StoreOptions {
  dryRun?: boolean;
  all?: boolean;
}

/** `migrate`: brings the PostgreSQL schema up to date (a deploy step), or prints the SQL it would run. */
export function registerMigrate(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('migrate')
      .summary('apply the PostgreSQL migrations (or print them with --dry-run)')
      .description(
        'Applies the migrations the PostgreSQL schema has not had yet, in one transaction under an advisory lock ' +
          '(safe to run from several deploys at once). Run it before the new version starts when the app sets ' +
          '`migrate: false`. With --dry-run, prints the SQL of the pending migrations instead and changes nothing.',
      )
      .option('--dry-run', 'print the SQL of the pending migrations; change nothing')
      .option(
        '--all',
        'with --dry-run: print every migration, without connecting (for --schema and --table)',
      ),
  ).action(async (options: MigrateOptions) => {
    if (options.all) {
      if (!options.dryRun) throw new CliUsageError('--all goes with --dry-run');
      if (options.project !== undefined) throw new CliUsageError(cliMessages.dryRunAllNeedsPostgres());
      const { postgresMigrationSql } = await loadPostgres();
      io.out(postgresMigrationSql({ schema: options.schema, tableName: options.table }));
      return;
    }
    if (storeTarget(options, io.env).type === 'firestore') {
      io.out(`${cliMessages.noMigrationsForFirestore()}\n`);
      return;
    }
    await withConnection(options, io, async ({ postgres }) => {
      const store = postgres!;
      const where = store.names.tasks;
      if (options.dryRun) {
        const pending = await store.pendingMigrations();
        if (pending.length === 0) io.out(`-- ${where} is up to date: no migration to apply.\n`);
        for (const migration of pending) io.out(`${migration.sql}\n`);
        return;
      }
      const applied = await store.migrate();
      io.out(
        applied.length === 0
          ? `${where} is up to date: no migration to apply.\n`
          : `Applied migration(s) ${applied.join(', ')} to ${where}.\n`,
      );
    });
  });
}
