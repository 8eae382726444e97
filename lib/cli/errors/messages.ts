/** Every message of the command line, in one place. */
export const cliMessages = {
  noStore: () =>
    'no store given: pass --url <connection string> (or set DATABASE_URL) for PostgreSQL, or --project <id> for Firestore',
  twoStores: () => 'give either --url (PostgreSQL) or --project (Firestore), not both',
  postgresOnlyOption: (option: string) =>
    `${option} is an option of the PostgreSQL store; Firestore takes --collection`,
  firestoreOnlyOption: (option: string) => `${option} is an option of the Firestore store (with --project)`,
  slugOrKind: (command: string) => `${command} takes a slug or --kind <kind>, not both and not neither`,
  driverMissing: (store: string, pkg: string) =>
    `the ${store} driver is not installed: npm install ${pkg} (the command line uses the app's driver)`,
  notFailed: (slug: string, state: string) =>
    `task "${slug}" has not failed (it is ${state}): retry runs failed tasks only; use trigger to run it now`,
  schemaHint: () =>
    'the tables look missing or older than this version: run `nestjs-durable-scheduler migrate` first',
  notAWholeNumber: (min: number, max: number) => `must be a whole number from ${min} to ${max}`,
  noMigrationsForFirestore: () =>
    'Firestore has no schema to migrate; deploy the indexes of firestore.indexes.json (see docs/firestore.md)',
  dryRunAllNeedsPostgres: () =>
    '--all prints the PostgreSQL schema: it takes --schema and --table, not --project',
} as const;
