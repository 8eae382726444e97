/** Where a command writes, and the environment it reads: the process's, or a test's. */
export interface CliIo {
  /** Results (stdout). */
  out(text: string): void;
  /** Errors, warnings and help after an error (stderr). */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Now, for relative times in tables. */
  now(): Date;
}

/** The process's streams and environment. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    now: () => new Date(),
  };
}
