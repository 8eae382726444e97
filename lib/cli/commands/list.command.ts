import { Option, type Command } from 'commander';

import type { JobState } from '../../core/job.js';
import type { TaskPage } from '../../core/store/job-store.js';
import type { CliIo } from '../cli-io.js';
import { jsonOption, listLimitOption, stateOption } from '../option-values.js';
import { scheduledJobOf } from '../../core/job-state.js';
import { json, taskTable } from '../render.js';
import { withConnection, withStoreOptions, type StoreOptions } from '../store-connection.js';

interface ListOptions extends StoreOptions {
  kind?: string;
  state?: JobState;
  prefix?: string;
  limit: number;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

/** `list`: a page of tasks in slug order, filtered as the console's admin API filters them. */
export function registerList(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('list')
      .summary('list tasks (filters: --kind, --state, --prefix)')
      .description(
        'Lists tasks in slug order, a page at a time, filtered by kind, state and slug prefix. A table prints ' +
          'the cursor of the next page (on stderr); --all reads every page.',
      )
      .option('--kind <kind>', 'only tasks of this kind')
      .addOption(stateOption())
      .option('--prefix <text>', 'only slugs that start with this text')
      .addOption(listLimitOption())
      .option('--cursor <cursor>', 'the page after the one that printed this cursor')
      .addOption(new Option('--all', 'read every page (--limit is then the page size)').conflicts('cursor'))
      .addOption(jsonOption()),
  ).action(async (options: ListOptions) => {
    await withConnection(options, io, async ({ scheduler }) => {
      const query = {
        kind: options.kind,
        state: options.state,
        slugPrefix: options.prefix,
        limit: options.limit,
      };
      let page: TaskPage = await scheduler.listJobs({ ...query, cursor: options.cursor ?? null });
      const tasks = [...page.tasks];
      while (options.all && page.nextCursor !== null) {
        page = await scheduler.listJobs({ ...query, cursor: page.nextCursor });
        tasks.push(...page.tasks);
      }
      const now = io.now();
      const jobs = tasks.map((task) => scheduledJobOf(task, now));
      if (options.json) {
        io.out(json({ tasks: jobs, nextCursor: page.nextCursor }));
        return;
      }
      io.out(jobs.length === 0 ? 'No tasks.\n' : taskTable(jobs, now));
      if (page.nextCursor !== null) io.err(`More tasks: add --cursor ${page.nextCursor}\n`);
    });
  });
}
