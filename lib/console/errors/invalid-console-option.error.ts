import { SchedulerError } from '../../core/errors/scheduler.error.js';
import { consoleMessages } from './messages.js';

/** Thrown at bootstrap for `SchedulerConsoleModule` options it cannot serve safely (no guard, a bad path, …). */
export class InvalidConsoleOptionError extends SchedulerError {
  constructor(
    public readonly option: string,
    public readonly reason: string,
  ) {
    super(consoleMessages.invalidConsoleOption(option, reason));
  }
}
