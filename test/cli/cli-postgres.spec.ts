/**
 * The command line on PostgreSQL: the deploy step (`migrate`, `--dry-run`), the operator commands
 * (the shared suite), exit codes and `--help`, all through the built `bin` in a child process.
 */
import { silentLogger } from '../../lib/core/logger.js';
import { migrations } from '../../lib/stores/postgres/migrations/index.js';
import { PostgresStore, postgresMigrationSql } from '../../lib/stores/postgres/index.js';
import { usePostgresDatabase } from '../support/postgres.js';
import { cli } from './cli-process.js';
import { describeCliSuite } from './cli.suite.js';

const db = usePostgresDatabase();

const COMMANDS = [
  'migrate',
  'status',
  'list',
  'show',
  'history',
  'pause',
  'resume',
  'trigger',
  'retry',
  'delete',
];

describe('the command line on PostgreSQL: migrate', () => {
  const tablesOf = async (schema: string) =>
    (
      await db.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      )
    ).map((row) => row.table_name);

  it('prints the pending migrations with --dry-run and changes nothing, then applies them once', async () => {
    const url = ['--url', db.url, '--schema', 'deploy'];
    const dryRun = await cli(['migrate', '--dry-run', ...url]);
    expect(dryRun.code).toBe(0);
    const headers = dryRun.stdout.match(/^-- nestjs-durable-scheduler, PostgreSQL migration .*$/gm) ?? [];
    expect(headers).toEqual(
      migrations.map(
        (m) =>
          `-- nestjs-durable-scheduler, PostgreSQL migration ${String(m.version).padStart(4, '0')}-${m.name} for "deploy"."scheduler_tasks".`,
      ),
    );
    expect(await tablesOf('deploy')).toEqual([]);

    const applied = await cli(['migrate', ...url]);
    expect(applied).toEqual({
      code: 0,
      stdout: `Applied migration(s) ${migrations.map((m) => m.version).join(', ')} to "deploy"."scheduler_tasks".\n`,
      stderr: '',
    });
    expect(await tablesOf('deploy')).toEqual([
      'scheduler_tasks',
      'scheduler_tasks_history',
      'scheduler_tasks_instances',
      'scheduler_tasks_migrations',
      'scheduler_tasks_starts',
    ]);
    expect((await cli(['migrate', ...url])).stdout).toBe(
      '"deploy"."scheduler_tasks" is up to date: no migration to apply.\n',
    );
    expect((await cli(['migrate', '--dry-run', ...url])).stdout).toBe(
      '-- "deploy"."scheduler_tasks" is up to date: no migration to apply.\n',
    );
  });

  it('prints the whole schema for a schema and table of yours with --dry-run --all, without a connection', async () => {
    const all = await cli(['migrate', '--dry-run', '--all', '--schema', 'jobs', '--table', 'tasks']);
    expect(all).toEqual({
      code: 0,
      stdout: postgresMigrationSql({ schema: 'jobs', tableName: 'tasks' }),
      stderr: '',
    });
  });

  it('fails with exit code 1 and says to migrate when the tables are missing', async () => {
    const run = await cli(['list', '--url', db.url, '--schema', 'never_migrated']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('run `nestjs-durable-scheduler migrate` first');
  });

  it('fails with exit code 1 when the database cannot be reached', async () => {
    const run = await cli(['status', '--url', 'postgres://nobody@127.0.0.1:1/nothing']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*ECONNREFUSED/m);
  });
});

describe('the command line: usage', () => {
  it('has --help on every command (exit code 0)', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    for (const command of COMMANDS) expect(main.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const command of COMMANDS) {
      const help = await cli([command, '--help']);
      expect([command, help.code, help.stdout.split('\n')[0]]).toEqual([
        command,
        0,
        expect.stringMatching(new RegExp(`^Usage: nestjs-durable-scheduler ${command} `)),
      ]);
    }
  });

  it('exits with 2 and says why on stderr for bad usage', async () => {
    const store = ['--url', db.url];
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: nestjs-durable-scheduler/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['list', '--colour'], /unknown option '--colour'/],
      [['show'], /missing required argument 'slug'/],
      [['list'], /no store given: pass --url/],
      [['list', '--url', db.url, '--project', 'p'], /either --url \(PostgreSQL\) or --project/],
      [['list', '--state', 'sleeping', ...store], /Allowed choices are scheduled, running, failed, paused/],
      [['list', '--limit', 'many', ...store], /must be a whole number from 1 to 1000/],
      [['pause', ...store], /pause takes a slug or --kind/],
      [['resume', 'a', '--kind', 'k', ...store], /resume takes a slug or --kind/],
      [['show', 'x'.repeat(1025), ...store], /Invalid job slug/],
      [['list', '--schema', 'no-dashes', ...store], /Invalid store option schema/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect([args, run.code, run.stdout]).toEqual([args, 2, '']);
      expect([args, run.stderr]).toEqual([args, expect.stringMatching(message)]);
    }
  });
});

describeCliSuite('PostgreSQL', async () => {
  const pool = db.pool({ max: 3 });
  const store = new PostgresStore({ pool, schema: 'ops', logger: silentLogger, notify: false });
  await store.init();
  return {
    store,
    // The connection from DATABASE_URL, as a deploy pipeline sets it; the schema as an option.
    storeArgs: ['--schema', 'ops'],
    env: { DATABASE_URL: db.url },
    cleanup: async () => {
      await store.close();
      await db.endPool(pool);
    },
  };
});
