/**
 * Reading tasks: one by slug, every slug, and pages in slug order (keyset pagination: each page is
 * one index range scan from the cursor on, whatever the table holds).
 */
import type { ListQuery } from '../../../core/store/job-store.js';
import type { PostgresNames } from '../names.js';
import { prefixUpperBound } from '../slug-range.js';
import { HELD, PARKED, stateFilter, taskColumns } from './fragments.js';
import { statement, type Placeholders } from './statement.js';

/** A page of `list`: the query, and how many rows to read (one more than the page, to tell whether another follows). */
export interface PageArgs {
  query: ListQuery;
  rows: number;
}

/** Every value a page statement may take; each statement picks those it names. */
function pageValues({ query, rows }: PageArgs) {
  const prefix = query.slugPrefix ?? '';
  return {
    cursor: query.cursor ?? '',
    state: query.state ?? null,
    limit: rows,
    kind: query.kind ?? null,
    prefix,
    upper: prefixUpperBound(prefix),
  };
}

/** The parameters of a page by slug prefix; the bounded form adds `upper`. */
const PREFIX_PAGE = ['cursor', 'state', 'limit', 'kind', 'prefix'] as const;

export function readStatements(n: PostgresNames) {
  const T = n.tasks;
  /** A page by slug prefix: from the prefix on, and before `upper` when there is one. */
  const prefixPage = (p: Placeholders<(typeof PREFIX_PAGE)[number]>, upper: string | null): string => `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.slug > ${p.cursor} AND t.slug >= ${p.prefix}${upper === null ? '' : ` AND t.slug < ${upper}`}
  AND (${p.kind}::text IS NULL OR t.kind = ${p.kind}) AND ${stateFilter(p.state, 't')}
ORDER BY t.slug
LIMIT ${p.limit}`;

  return {
    get: statement(
      'get',
      ['slug'],
      (p) => `SELECT ${taskColumns('t')} FROM ${T} AS t WHERE t.slug = ${p.slug}`,
      (a: { slug: string }) => a,
    ),

    /** Every slug, in slug order. */
    getSlugs: statement('get_slugs', `SELECT t.slug FROM ${T} AS t ORDER BY t.slug`),

    /**
     * One page in slug order after the cursor ('' for the first page), in a state or any: a primary
     * key range scan that stops when the page is full. States, first match wins: running (live
     * lease), paused, failed, scheduled.
     */
    list: statement(
      'list',
      ['cursor', 'state', 'limit'],
      (p) => `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.slug > ${p.cursor} AND ${stateFilter(p.state, 't')}
ORDER BY t.slug
LIMIT ${p.limit}`,
      pageValues,
    ),

    /**
     * As `list`, for one kind: the same primary key range scan, skipping other kinds (there is
     * deliberately no (kind, slug) index, see the migration): quick for a common kind; for a rare kind
     * in a large table a page may read much of the table.
     */
    listByKind: statement(
      'list_by_kind',
      ['cursor', 'state', 'limit', 'kind'],
      (p) => `
SELECT ${taskColumns('t')}
FROM ${T} AS t
WHERE t.kind = ${p.kind} AND t.slug > ${p.cursor} AND ${stateFilter(p.state, 't')}
ORDER BY t.slug
LIMIT ${p.limit}`,
      pageValues,
    ),

    /**
     * A page of the slugs with a prefix, of a kind or any: a primary key range scan of
     * [max(cursor, prefix), upper), `upper` being the first text after every text with that prefix
     * (`prefixUpperBound`). It ends with the prefix's slugs whether or not the page is full.
     */
    listPrefix: statement(
      'list_prefix',
      [...PREFIX_PAGE, 'upper'],
      (p) => prefixPage(p, p.upper),
      pageValues,
    ),

    /**
     * As `listPrefix` for the one kind of prefix that has no upper bound (made only of U+10FFFF): every
     * text from the prefix on starts with it.
     */
    listPrefixOpen: statement('list_prefix_open', PREFIX_PAGE, (p) => prefixPage(p, null), pageValues),

    /**
     * A page in a state whose tasks are few ('running', 'paused' or 'failed'), of a kind or any, with
     * a slug prefix ('' for any). These tasks (paused, failed, held by a lease) are read from the
     * parked and the leased indexes and sorted, instead of walking the primary key past every
     * scheduled task to fill a page. A task paused or failed while held is in the parked index.
     */
    listSparse: statement(
      'list_sparse',
      ['cursor', 'state', 'limit', 'kind', 'prefix'],
      (p) => `
SELECT ${taskColumns('t')}
FROM (
  SELECT * FROM ${T} AS p
  WHERE ${PARKED('p')} AND p.slug > ${p.cursor} AND (${p.kind}::text IS NULL OR p.kind = ${p.kind})
  UNION ALL
  SELECT * FROM ${T} AS h
  WHERE ${HELD('h')} AND ${p.state}::text = 'running' AND h.slug > ${p.cursor} AND (${p.kind}::text IS NULL OR h.kind = ${p.kind})
) AS t
WHERE starts_with(t.slug, ${p.prefix}) AND ${stateFilter(p.state, 't')}
ORDER BY t.slug
LIMIT ${p.limit}`,
      pageValues,
    ),
  };
}
