/** Types of embedded-postgres.js, for the TypeScript that loads it (the bench). */
export declare function startEmbeddedPostgres(options: {
  prefix: string;
  flags?: string[];
}): Promise<{ url: string; port: number; stop: () => Promise<void> }>;
