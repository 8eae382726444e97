/**
 * Reading PostgreSQL query plans in tests: `planOf` gives the nodes of a statement's plan, as a
 * custom plan (values bound) or as the generic one (PREPARE, as a prepared statement runs after
 * five executions), inside a transaction that is rolled back (an ANALYZE of a claim claims).
 */
import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** A plan's nodes, depth first. */
export function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

/** A bind value as a literal of `EXECUTE` (arrays as `{a,b}`). */
function literal(client: pg.PoolClient, value: unknown): string {
  if (value === null) return 'NULL';
  return client.escapeLiteral(Array.isArray(value) ? `{${value.join(',')}}` : String(value));
}

/** The nodes of the plan of `text` with `values`; `analyze` runs it (rolled back) for actual rows. */
export async function planOf(
  client: pg.PoolClient,
  text: string,
  values: unknown[],
  mode: 'custom' | 'generic',
  analyze = false,
): Promise<PlanNode[]> {
  const options = analyze ? '(ANALYZE, FORMAT JSON)' : '(FORMAT JSON)';
  await client.query('BEGIN');
  try {
    let rows: Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;
    if (mode === 'custom') {
      rows = (await client.query(`EXPLAIN ${options} ${text}`, values)).rows;
    } else {
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE explained AS ${text}`);
      const args = values.length > 0 ? `(${values.map((v) => literal(client, v)).join(', ')})` : '';
      rows = (await client.query(`EXPLAIN ${options} EXECUTE explained${args}`)).rows;
      await client.query('DEALLOCATE explained');
    }
    return nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan);
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Sequential scans of the tasks table. */
export const seqScansOfTasks = (nodes: PlanNode[]): PlanNode[] =>
  nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'scheduler_tasks');
