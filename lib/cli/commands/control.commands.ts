import type { Command } from 'commander';

import type { CliIo } from '../cli-io.js';
import { CliFailureError } from '../errors/cli-failure.error.js';
import { CliUsageError } from '../errors/cli-usage.error.js';
import { cliMessages } from '../errors/messages.js';
import { withConnection, withStoreOptions, type StoreOptions } from '../store-connection.js';

/** `pause` and `resume`: one task by slug, or every task of a kind. */
export function registerPauseResume(program: Command, io: CliIo): void {
  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'resume';
    withStoreOptions(
      program
        .command(verb)
        .summary(paused ? 'pause a task, or every task of a kind' : 'resume a task, or every task of a kind')
        .description(
          paused
            ? 'Pauses a task (never claimed until resumed; a run in flight finishes), or with --kind every task of a kind.'
            : 'Resumes a paused task (a recurring one continues under its misfire policy), or with --kind every task of a kind.',
        )
        .argument('[slug]', 'the task')
        .option('--kind <kind>', 'every task of this kind instead'),
    ).action(async (slug: string | undefined, options: StoreOptions & { kind?: string }) => {
      if ((slug === undefined) === (options.kind === undefined))
        throw new CliUsageError(cliMessages.slugOrKind(verb));
      await withConnection(options, io, async ({ scheduler }) => {
        if (options.kind !== undefined) {
          const changed = paused
            ? await scheduler.pauseKind(options.kind)
            : await scheduler.resumeKind(options.kind);
          io.out(`${paused ? 'Paused' : 'Resumed'} ${changed} task(s) of kind "${options.kind}".\n`);
          return;
        }
        if (paused) await scheduler.pauseJob(slug!);
        else await scheduler.resumeJob(slug!);
        io.out(`${paused ? 'Paused' : 'Resumed'} "${slug}".\n`);
      });
    });
  }
}

/** `trigger`, `retry` and `delete`: one task by slug. */
export function registerTaskActions(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('trigger')
      .summary('run a task once now')
      .description(
        'Runs a task once now (a recurring task then carries on with its schedule; a failed one starts over). ' +
          'Refused while it runs. A paused task runs once resumed.',
      )
      .argument('<slug>', 'the task'),
  ).action(async (slug: string, options: StoreOptions) => {
    await withConnection(options, io, async ({ scheduler }) => {
      await scheduler.triggerJob(slug);
      io.out(`"${slug}" is due now.\n`);
    });
  });

  withStoreOptions(
    program
      .command('retry')
      .summary('run a failed task again')
      .description(
        'Runs a failed task again from scratch (its retry count reset). Refused, with exit code 1, when the ' +
          'task has not failed.',
      )
      .argument('<slug>', 'the failed task'),
  ).action(async (slug: string, options: StoreOptions) => {
    await withConnection(options, io, async ({ scheduler }) => {
      const job = await scheduler.getScheduledJob(slug);
      if (job.state !== 'failed') throw new CliFailureError(cliMessages.notFailed(slug, job.state));
      await scheduler.triggerJob(slug);
      io.out(`"${slug}" will run again now.\n`);
    });
  });

  withStoreOptions(
    program
      .command('delete')
      .summary('delete a task')
      .description(
        'Deletes a task, whatever its state (a run in flight finishes, and its outcome is discarded).',
      )
      .argument('<slug>', 'the task'),
  ).action(async (slug: string, options: StoreOptions) => {
    await withConnection(options, io, async ({ scheduler }) => {
      await scheduler.deleteJob(slug);
      io.out(`Deleted "${slug}".\n`);
    });
  });
}
