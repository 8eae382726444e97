import { createRequire } from 'node:module';

import { Command, CommanderError } from 'commander';

import { errorMessage } from '../core/error-text.js';
import type { CliIo } from './cli-io.js';
import { registerPauseResume, registerTaskActions } from './commands/control.commands.js';
import { registerList } from './commands/list.command.js';
import { registerMigrate } from './commands/migrate.command.js';
import { registerHistory, registerShow } from './commands/show.command.js';
import { registerStatus } from './commands/status.command.js';
import { cliMessages } from './errors/messages.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';

/** The command's name, as `npx` runs it. */
export const CLI_NAME = 'nestjs-durable-scheduler';

/** PostgreSQL errors that mean the schema is missing or older than the library (42P01, 42703, 3F000). */
const SCHEMA_ERRORS = new Set(['42P01', '42703', '3F000']);

function packageVersion(): string {
  // dist/cli/program.js (and lib/cli/program.ts) sit two folders below package.json.
  const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };
  return manifest.version;
}

/** The command line: every command, writing to `io`, never exiting the process itself. */
export function buildProgram(io: CliIo): Command {
  const program = new Command(CLI_NAME)
    .description(
      'Operate nestjs-durable-scheduler from a shell: migrate the PostgreSQL schema, see tasks and instances, ' +
        'pause, resume, run, retry and delete tasks. The store is PostgreSQL (--url or DATABASE_URL) or ' +
        'Firestore (--project). Exit codes: 0 done, 1 failed, 2 bad usage.',
    )
    .version(packageVersion(), '-V, --version')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError();
  registerMigrate(program, io);
  registerStatus(program, io);
  registerList(program, io);
  registerShow(program, io);
  registerHistory(program, io);
  registerPauseResume(program, io);
  registerTaskActions(program, io);
  return program;
}

/**
 * Runs the command line on `argv` (without `node` and the script) and returns the exit code: 0 done,
 * 1 the command failed, 2 bad usage. Errors go to `io.err`, results to `io.out`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.OK;
  } catch (error) {
    const code = exitCodeOf(error);
    // Commander has already printed its own errors (and help).
    if (!(error instanceof CommanderError)) {
      const hint = SCHEMA_ERRORS.has(String((error as { code?: unknown }).code))
        ? `\n${cliMessages.schemaHint()}`
        : '';
      io.err(`error: ${errorMessage(error)}${hint}\n`);
      if (code === ExitCode.USAGE) io.err('(add --help for usage)\n');
    }
    return code;
  }
}
