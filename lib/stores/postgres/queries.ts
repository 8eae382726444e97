/**
 * Every SQL statement of the PostgreSQL store, for one table's names: the families of `sql/`, one
 * file each, with each statement's text beside the values it binds (see `sql/statement.ts`).
 *
 * The channel parameter of the statements that NOTIFY is NULL when the store was built with
 * `notify: false`: then nothing is sent.
 *
 * Only the validated, quoted schema and table names (see `names.ts`) are spliced into the text;
 * every value travels as a bind parameter. Times are compared with the database clock (`now()`)
 * only, never with an instance's clock. Timestamps come back as epoch milliseconds (float8) and
 * payloads as text, so that results do not depend on the type parsers an application may have
 * installed on its `pg` driver.
 *
 * Nothing else in the store holds SQL but the migrations' DDL (`migrations/`).
 */
import type { PostgresNames } from './names.js';
import { claimStatements } from './sql/claim.js';
import { limitedClaimStatements } from './sql/claim-limited.js';
import { controlStatements } from './sql/control.js';
import { countStatements } from './sql/counts.js';
import { historyStatements } from './sql/history.js';
import { instanceStatements } from './sql/instances.js';
import { listenStatements } from './sql/listen.js';
import { migrationStatements } from './sql/migrations.js';
import { readStatements } from './sql/read.js';
import { settleStatements } from './sql/settle.js';
import { taskBulkStatements } from './sql/tasks-bulk.js';
import { taskWriteStatements } from './sql/tasks-write.js';

export type { BoundStatement, SqlStatement } from './sql/statement.js';

/** The statements of one store, for its table names. */
export type PostgresQueries = ReturnType<typeof buildQueries>;

/** Builds the statements for one table. */
export function buildQueries(n: PostgresNames) {
  return {
    ...taskWriteStatements(n),
    ...taskBulkStatements(n),
    ...claimStatements(n),
    ...limitedClaimStatements(n),
    ...settleStatements(n),
    ...readStatements(n),
    ...controlStatements(n),
    ...historyStatements(n),
    ...migrationStatements(n),
    ...listenStatements(n),
    ...countStatements(n),
    ...instanceStatements(n),
  };
}
