import type { Command } from 'commander';

import type { CliIo } from '../cli-io.js';
import { historyLimitOption, jsonOption } from '../option-values.js';
import { historyTable, json, taskListing } from '../render.js';
import { withConnection, withStoreOptions, type StoreOptions } from '../store-connection.js';

/** `show <slug>`: every field of one task. */
export function registerShow(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('show')
      .summary('every field of one task')
      .description('Shows one task: state, next run, schedule, retries, last result, lease, payload.')
      .argument('<slug>', 'the task')
      .addOption(jsonOption()),
  ).action(async (slug: string, options: StoreOptions & { json?: boolean }) => {
    await withConnection(options, io, async ({ scheduler }) => {
      const job = await scheduler.getScheduledJob(slug);
      io.out(options.json ? json(job) : taskListing(job, io.now()));
    });
  });
}

/** `history <slug>`: its last executions, newest first. */
export function registerHistory(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('history')
      .summary("a task's last executions")
      .description(
        "Lists a task's last executions, newest first: outcome, attempt, duration, instance, error. History is " +
          'kept only by schedulers that run with the `history` option.',
      )
      .argument('<slug>', 'the task')
      .addOption(historyLimitOption())
      .addOption(jsonOption()),
  ).action(async (slug: string, options: StoreOptions & { limit: number; json?: boolean }) => {
    await withConnection(options, io, async ({ scheduler }) => {
      const records = await scheduler.getJobHistory(slug, { limit: options.limit });
      if (options.json) io.out(json(records));
      else if (records.length === 0) {
        io.out(
          `No executions recorded for "${slug}" (history is kept only with the scheduler's history option).\n`,
        );
      } else io.out(historyTable(records));
    });
  });
}
