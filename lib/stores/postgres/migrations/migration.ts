import type { PostgresNames } from '../names.js';

/**
 * One numbered schema change. `sql` renders its statements for the store's schema and table names
 * (validated and quoted by `resolveNames`); it must be idempotent (`IF NOT EXISTS`), because a DBA may
 * have run it by hand from the shipped `.sql` file before the store records it.
 */
export interface Migration {
  /** 1, 2, 3, … in the order they apply; never reused. */
  version: number;
  /** A short name, recorded with the version. */
  name: string;
  /** The statements, for these names. */
  sql(names: PostgresNames): string;
}
