import { InvalidArgumentError, Option } from 'commander';

import { JOB_STATES, MAX_HISTORY_LIMIT, MAX_LIST_LIMIT } from '../core/arguments.js';
import { cliMessages } from './errors/messages.js';

/** A parser of whole-number option values (a bad value is a usage error, exit code 2). */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(cliMessages.notAWholeNumber(min, max));
    }
    return parsed;
  };
}

/** `--json`: print JSON for scripts instead of a table. */
export const jsonOption = (): Option => new Option('--json', 'print JSON instead of a table');

/** `--state`, one of the task states. */
export const stateOption = (): Option =>
  new Option('--state <state>', 'only tasks in this state').choices(JOB_STATES);

/** `--limit` of a task page. */
export const listLimitOption = (): Option =>
  new Option('--limit <n>', `tasks per page, 1 to ${MAX_LIST_LIMIT}`)
    .argParser(wholeNumber(1, MAX_LIST_LIMIT))
    .default(100);

/** `--limit` of a history read. */
export const historyLimitOption = (): Option =>
  new Option('--limit <n>', `most recent executions to show, 1 to ${MAX_HISTORY_LIMIT}`)
    .argParser(wholeNumber(1, MAX_HISTORY_LIMIT))
    .default(20);
