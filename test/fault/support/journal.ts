/**
 * What happened during one fault run, as the jobs and the instances recorded it: every execution
 * (start, finish, abort of its signal), every lease-lost event, fatal errors and graceful stops.
 * In-process runs write to it directly; worker processes append JSON lines to a file each, which is
 * read back here.
 */
import { readFileSync } from 'node:fs';

import type { ExecutionRecord } from '../fixtures/hostile-jobs.mjs';

/**
 * When something happened: `at` orders events (a counter in-process, the machine's high-resolution
 * wall clock across processes); `t` is the scheduler's clock in ms (virtual in-process).
 */
export interface Stamp {
  at: number;
  t: number;
}

export type JournalEntry = Stamp &
  (
    | ExecutionRecord
    | { type: 'lease-lost'; slug: string; instance: string }
    | { type: 'fatal'; instance: string; error: string }
    | { type: 'stopping'; instance: string; inFlight: number }
    | { type: 'stopped'; instance: string; inFlight: number; stopMs: number }
  );

/** One execution, its records gathered. */
export interface Execution {
  exec: string;
  slug: string;
  inc: string;
  instance: string;
  attempt: number;
  scheduledAt: number;
  version: number;
  start: Stamp;
  finish: (Stamp & { ok: boolean }) | null;
  aborts: Array<Stamp & { reason: string }>;
}

export class Journal {
  readonly entries: JournalEntry[] = [];

  add(entry: JournalEntry): void {
    this.entries.push(entry);
  }

  /** Appends the JSON lines a worker wrote (a torn last line, from a SIGKILL, is skipped). */
  addFile(path: string): void {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.entries.push(JSON.parse(line) as JournalEntry);
      } catch {
        // the write a SIGKILL cut in half
      }
    }
  }

  sorted(): JournalEntry[] {
    return [...this.entries].sort((a, b) => a.at - b.at);
  }

  executions(): Execution[] {
    const byExec = new Map<string, Execution>();
    for (const entry of this.sorted()) {
      if (entry.type === 'start') {
        byExec.set(entry.exec, {
          exec: entry.exec,
          slug: entry.slug,
          inc: entry.inc,
          instance: entry.instance,
          attempt: entry.attempt,
          scheduledAt: entry.scheduledAt,
          version: entry.version,
          start: { at: entry.at, t: entry.t },
          finish: null,
          aborts: [],
        });
      } else if (entry.type === 'finish') {
        const execution = byExec.get(entry.exec);
        if (execution && !execution.finish) execution.finish = { at: entry.at, t: entry.t, ok: entry.ok };
      } else if (entry.type === 'abort') {
        byExec.get(entry.exec)?.aborts.push({ at: entry.at, t: entry.t, reason: entry.reason });
      }
    }
    return [...byExec.values()];
  }

  leaseLost(): Array<Stamp & { slug: string; instance: string }> {
    return this.entries.flatMap((entry) => (entry.type === 'lease-lost' ? [entry] : []));
  }
}
