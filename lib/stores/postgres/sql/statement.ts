/**
 * How a statement of the store is written: its text and the values of its bind parameters side by
 * side, the parameters named. The text refers to each parameter by name (`${p.slug}`, which is `$1`)
 * and the statement's `with` turns a named object into the positional values, in the same order, so
 * that no caller counts `$n` positions and a reader checks one list of names against one object.
 */

/** A statement ready to run: its prepared-statement name, its text and its bind values. */
export interface BoundStatement {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/** One SQL statement of the store, for one table's names. `A` is what it takes to run it. */
export interface SqlStatement<A = void> {
  /** A stable name (also the prepared statement's name, suffixed with the table's tag). */
  readonly name: string;
  readonly text: string;
  /** The names of its bind parameters: `parameters[0]` is `$1`, and so on. */
  readonly parameters: readonly string[];
  /** The statement with its bind values, taken from `args` (may throw a typed error for bad input). */
  with(args: A): BoundStatement;
}

/** The `$n` of each named parameter. */
export type Placeholders<K extends string> = { readonly [P in K]: string };

/** A statement without parameters. */
export function statement(name: string, text: string): SqlStatement;
/**
 * A statement with parameters: `parameters` names `$1`, `$2`, … in order, `text` gets them by name,
 * and `bind` gives every one of them a value (the compiler checks that none is missing).
 */
export function statement<const K extends readonly string[], A>(
  name: string,
  parameters: K,
  text: (p: Placeholders<K[number]>) => string,
  bind: (args: A) => { readonly [P in K[number]]: unknown },
): SqlStatement<A>;
export function statement(
  name: string,
  parametersOrText: string | readonly string[],
  text?: (p: Placeholders<string>) => string,
  bind?: (args: unknown) => Readonly<Record<string, unknown>>,
): SqlStatement<unknown> {
  if (typeof parametersOrText === 'string') {
    const fixed = parametersOrText.trim();
    return { name, text: fixed, parameters: [], with: () => ({ name, text: fixed, values: [] }) };
  }
  const keys = parametersOrText;
  const placeholders = Object.fromEntries(keys.map((key, i) => [key, `$${i + 1}`]));
  const body = (text as (p: Placeholders<string>) => string)(placeholders).trim();
  const named = bind as (args: unknown) => Readonly<Record<string, unknown>>;
  return {
    name,
    text: body,
    parameters: keys,
    with: (args) => {
      const values = named(args);
      return { name, text: body, values: keys.map((key) => values[key]) };
    },
  };
}
