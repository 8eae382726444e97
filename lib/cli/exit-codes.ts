import { CommanderError } from 'commander';

import { InvalidArgumentError } from '../core/errors/invalid-argument.error.js';
import { InvalidSlugError } from '../core/errors/invalid-slug.error.js';
import { InvalidStoreOptionError } from '../core/errors/invalid-store-option.error.js';
import { CliUsageError } from './errors/cli-usage.error.js';

/** The exit codes a script can rely on. */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** The command ran and failed: not found, running, not failed, store unreachable, … */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, a bad value, a missing store. */
  USAGE: 2,
} as const;

/** The exit code for an error that ended a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
    // Help shown because no command was given is a usage error; `help <command>` is not.
    if (error.code === 'commander.help') return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    return ExitCode.USAGE;
  }
  if (
    error instanceof CliUsageError ||
    error instanceof InvalidArgumentError ||
    error instanceof InvalidSlugError ||
    error instanceof InvalidStoreOptionError
  ) {
    return ExitCode.USAGE;
  }
  return ExitCode.FAILURE;
}
