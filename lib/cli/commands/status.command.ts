import type { Command } from 'commander';

import type { CliIo } from '../cli-io.js';
import { jsonOption } from '../option-values.js';
import { countsTable, instancesTable, json } from '../render.js';
import { withConnection, withStoreOptions, type StoreOptions } from '../store-connection.js';

/** `status`: how many tasks of each kind are in each state, and which instances are live. */
export function registerStatus(program: Command, io: CliIo): void {
  withStoreOptions(
    program
      .command('status')
      .summary('tasks per kind and state, and the live instances')
      .description(
        'Counts the tasks of each kind by state (scheduled, running, failed, paused) and lists the scheduler ' +
          'instances that published their record in the last 30 seconds (what they run, their health).',
      )
      .addOption(jsonOption()),
  ).action(async (options: StoreOptions & { json?: boolean }) => {
    await withConnection(options, io, async ({ scheduler }) => {
      const [kinds, instances] = await Promise.all([scheduler.countJobsByKind(), scheduler.listInstances()]);
      if (options.json) {
        io.out(json({ kinds, instances }));
        return;
      }
      io.out(kinds.length === 0 ? 'No tasks.\n' : countsTable(kinds));
      io.out('\n');
      io.out(
        instances.length === 0
          ? 'No live instance (none published its record in the last 30 s).\n'
          : `Live instances (${instances.length}):\n${instancesTable(instances, io.now())}`,
      );
    });
  });
}
