import type { SchedulerLogger } from '../core/logger.js';

/** A logger that keeps what it is told, for assertions on what the engine logged. */
export class CapturingLogger implements SchedulerLogger {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  has(level: string, fragment: string): boolean {
    return this.lines.some((line) => line.level === level && line.message.includes(fragment));
  }
}
