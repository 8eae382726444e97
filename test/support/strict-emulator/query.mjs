/**
 * A structured-query engine over the emulator's in-memory state that follows real Firestore
 * where the pinned emulator does not:
 * - unary filters (`where(f, '==', null)` is sent as IS_NULL; the emulator ignored it and returned
 *   every document), nested AND/OR composites;
 * - `orderBy(f)` (explicit, or implied by an inequality filter on `f`) leaves out documents that
 *   lack `f`, and results are finally ordered by document name, as Firestore's indexes do;
 * - one order across value types, numbers compared across integer/double, strings by UTF-8 bytes;
 * - range filters only match values of the filter value's type;
 * - `in`/`array-contains-any` accept at most 30 values, `not-in` 10 (the service's limits).
 * What it does not implement (cursors, offset, collection groups, vector search) it refuses with
 * UNIMPLEMENTED instead of silently ignoring, as the emulator did for `offset` and `startAfter`.
 */
import { createRequire } from 'node:module';

import { Code, RpcError, unimplemented } from './status.mjs';
import {
  compareValues,
  DOCUMENT_KEY,
  isNaNValue,
  parseFieldPath,
  typeClass,
  typeOf,
  valuesEqual,
} from './values.mjs';

const require = createRequire(import.meta.url);
const { Value } = require('@firestore-emulator/proto/dist/google/firestore/v1/document');

const FieldOp = Object.freeze({
  LESS_THAN: 1,
  LESS_THAN_OR_EQUAL: 2,
  GREATER_THAN: 3,
  GREATER_THAN_OR_EQUAL: 4,
  EQUAL: 5,
  NOT_EQUAL: 6,
  ARRAY_CONTAINS: 7,
  IN: 8,
  ARRAY_CONTAINS_ANY: 9,
  NOT_IN: 10,
});
const UnaryOp = Object.freeze({ IS_NAN: 2, IS_NULL: 3, IS_NOT_NAN: 4, IS_NOT_NULL: 5 });
const CompositeOp = Object.freeze({ AND: 1, OR: 2 });
const Direction = Object.freeze({ ASCENDING: 1, DESCENDING: 2 });

const INEQUALITY_FIELD_OPS = new Set([
  FieldOp.LESS_THAN,
  FieldOp.LESS_THAN_OR_EQUAL,
  FieldOp.GREATER_THAN,
  FieldOp.GREATER_THAN_OR_EQUAL,
  FieldOp.NOT_EQUAL,
  FieldOp.NOT_IN,
]);
const INEQUALITY_UNARY_OPS = new Set([UnaryOp.IS_NOT_NAN, UnaryOp.IS_NOT_NULL]);
const MAX_DISJUNCTION_VALUES = 30;
const MAX_NOT_IN_VALUES = 10;

/** A document as the engine reads it: the state's document plus its protobuf form. */
class Row {
  constructor(doc) {
    this.doc = doc;
    this.proto = doc.toV1Document();
  }

  /** The value at a field path, or undefined when the document lacks it. */
  get(path) {
    if (path === DOCUMENT_KEY) return Value.fromObject({ reference_value: this.proto.name });
    const [first, ...rest] = parseFieldPath(path);
    let value = this.proto.fields.get(first);
    for (const segment of rest) {
      if (value === undefined || value.value_type !== 'map_value') return undefined;
      value = value.map_value.fields.get(segment);
    }
    return value;
  }
}

function rangeMatches(field, filterValue, test) {
  if (field === undefined || isNaNValue(field) || isNaNValue(filterValue)) return false;
  if (typeClass(field) !== typeClass(filterValue)) return false;
  return test(compareValues(field, filterValue));
}

function arrayValues(value, what) {
  if (value.value_type !== 'array_value') {
    throw new RpcError(Code.INVALID_ARGUMENT, `${what} needs an array value`);
  }
  return value.array_value.values;
}

function matchesFieldFilter(row, filter) {
  const field = row.get(filter.field.field_path);
  const value = filter.value;
  switch (filter.op) {
    case FieldOp.EQUAL:
      return field !== undefined && valuesEqual(field, value);
    case FieldOp.LESS_THAN:
      return rangeMatches(field, value, (c) => c < 0);
    case FieldOp.LESS_THAN_OR_EQUAL:
      return rangeMatches(field, value, (c) => c <= 0);
    case FieldOp.GREATER_THAN:
      return rangeMatches(field, value, (c) => c > 0);
    case FieldOp.GREATER_THAN_OR_EQUAL:
      return rangeMatches(field, value, (c) => c >= 0);
    case FieldOp.NOT_EQUAL:
      return field !== undefined && !valuesEqual(field, value);
    case FieldOp.ARRAY_CONTAINS:
      return (
        field?.value_type === 'array_value' && field.array_value.values.some((v) => valuesEqual(v, value))
      );
    case FieldOp.IN:
      return field !== undefined && arrayValues(value, 'in').some((v) => valuesEqual(field, v));
    case FieldOp.ARRAY_CONTAINS_ANY: {
      const wanted = arrayValues(value, 'array-contains-any');
      return (
        field?.value_type === 'array_value' &&
        field.array_value.values.some((v) => wanted.some((w) => valuesEqual(v, w)))
      );
    }
    case FieldOp.NOT_IN:
      return (
        field !== undefined &&
        typeOf(field) !== 'null_value' &&
        !arrayValues(value, 'not-in').some((v) => valuesEqual(field, v))
      );
    default:
      throw new RpcError(Code.INVALID_ARGUMENT, `unknown field filter operator ${filter.op}`);
  }
}

function matchesUnaryFilter(row, filter) {
  const field = row.get(filter.field.field_path);
  if (field === undefined) return false;
  switch (filter.op) {
    case UnaryOp.IS_NULL:
      return typeOf(field) === 'null_value';
    case UnaryOp.IS_NOT_NULL:
      return typeOf(field) !== 'null_value';
    case UnaryOp.IS_NAN:
      return isNaNValue(field);
    case UnaryOp.IS_NOT_NAN:
      return !isNaNValue(field) && typeOf(field) !== 'null_value';
    default:
      throw new RpcError(Code.INVALID_ARGUMENT, `unknown unary filter operator ${filter.op}`);
  }
}

function matches(row, filter) {
  switch (filter.filter_type) {
    case 'field_filter':
      return matchesFieldFilter(row, filter.field_filter);
    case 'unary_filter':
      return matchesUnaryFilter(row, filter.unary_filter);
    case 'composite_filter': {
      const { op, filters } = filter.composite_filter;
      if (op === CompositeOp.AND) return filters.every((f) => matches(row, f));
      if (op === CompositeOp.OR) return filters.some((f) => matches(row, f));
      throw new RpcError(Code.INVALID_ARGUMENT, `unknown composite filter operator ${op}`);
    }
    default:
      return true;
  }
}

/** Checks the service's limits and collects the fields under an inequality (they order the result). */
function inspectFilter(filter, inequalities) {
  switch (filter.filter_type) {
    case 'field_filter': {
      const { op, field, value } = filter.field_filter;
      if (op === FieldOp.IN || op === FieldOp.ARRAY_CONTAINS_ANY || op === FieldOp.NOT_IN) {
        const count = arrayValues(value, 'this operator').length;
        const max = op === FieldOp.NOT_IN ? MAX_NOT_IN_VALUES : MAX_DISJUNCTION_VALUES;
        if (count === 0 || count > max) {
          throw new RpcError(
            Code.INVALID_ARGUMENT,
            `a filter of this kind takes 1 to ${max} values, got ${count}`,
          );
        }
      }
      if (INEQUALITY_FIELD_OPS.has(op)) inequalities.add(field.field_path);
      return;
    }
    case 'unary_filter':
      if (INEQUALITY_UNARY_OPS.has(filter.unary_filter.op))
        inequalities.add(filter.unary_filter.field.field_path);
      return;
    case 'composite_filter':
      for (const f of filter.composite_filter.filters) inspectFilter(f, inequalities);
      return;
    default:
      return;
  }
}

/**
 * The order Firestore applies: the explicit `orderBy`s, then the inequality fields not already
 * ordered (in field-path order), then the document name in the direction of the last one.
 */
function effectiveOrder(query, inequalities) {
  const order = query.order_by.map((o) => ({
    path: o.field.field_path,
    descending: o.direction === Direction.DESCENDING,
  }));
  const ordered = new Set(order.map((o) => o.path));
  for (const path of [...inequalities].sort()) {
    if (!ordered.has(path)) order.push({ path, descending: false });
  }
  if (!order.some((o) => o.path === DOCUMENT_KEY)) {
    order.push({ path: DOCUMENT_KEY, descending: order.length > 0 && order[order.length - 1].descending });
  }
  return order;
}

function refuseUnsupported(query) {
  if (query.from.length !== 1)
    throw new RpcError(Code.INVALID_ARGUMENT, 'a query reads exactly one collection');
  if (query.from[0].all_descendants) throw unimplemented('collection group queries');
  if (query.has_start_at || query.has_end_at)
    throw unimplemented('query cursors (startAt/startAfter/endAt/endBefore)');
  if (query.offset > 0) throw unimplemented('offset');
  if (query.has_find_nearest) throw unimplemented('vector search (findNearest)');
}

/**
 * Runs a structured query against the emulator's state.
 *
 * @param state the emulator's FirestoreState
 * @param {string} parent `projects/p/databases/d/documents` or a document path under it
 * @param query a protobuf StructuredQuery
 * @returns the matching state documents, in order, limited
 */
export function runStructuredQuery(state, parent, query) {
  refuseUnsupported(query);
  const inequalities = new Set();
  if (query.has_where) inspectFilter(query.where, inequalities);
  const order = effectiveOrder(query, inequalities);

  const collection = state.getCollection(`${parent}/${query.from[0].collection_id}`);
  let rows = collection
    .getAllDocuments()
    .filter((doc) => doc.metadata.hasExist)
    .map((doc) => new Row(doc));
  if (query.has_where) rows = rows.filter((row) => matches(row, query.where));
  // A document lacking an ordered field is absent from that field's index, so Firestore never returns it.
  rows = rows.filter((row) => order.every((o) => row.get(o.path) !== undefined));
  rows.sort((a, b) => {
    for (const o of order) {
      const c = compareValues(a.get(o.path), b.get(o.path));
      if (c !== 0) return o.descending ? -c : c;
    }
    return 0;
  });
  if (query.has_limit) rows = rows.slice(0, query.limit.value);
  return rows.map((row) => row.doc);
}

/**
 * The fields a projection (`select`) keeps, or null for all. Only top-level fields and
 * `__name__` are supported.
 */
export function projectionOf(query) {
  if (!query.has_select || query.select.fields.length === 0) return null;
  const keep = new Set();
  for (const ref of query.select.fields) {
    const path = ref.field_path;
    if (path === DOCUMENT_KEY) continue;
    const segments = parseFieldPath(path);
    if (segments.length !== 1) throw unimplemented('projections of nested fields');
    keep.add(segments[0]);
  }
  return keep;
}
