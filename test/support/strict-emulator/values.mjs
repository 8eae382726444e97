/**
 * Firestore value semantics over the emulator's protobuf `Value`s, as the real service applies
 * them: one total order across types, numbers compared as numbers whether integer or double,
 * strings and bytes compared as UTF-8 / raw bytes, and `__name__` as a document reference.
 *
 * The pinned emulator (@firestore-emulator/server 0.3.15) compares with JavaScript operators per
 * type only, so mixed-type orderings come out in insertion order and `1 == 1.0` is false; the
 * strict query engine (query.mjs) uses this module instead.
 */
import { Buffer } from 'node:buffer';

/** The order of value types in Firestore (nulls first, maps last). */
const TYPE_ORDER = {
  null_value: 0,
  boolean_value: 1,
  integer_value: 2,
  double_value: 2,
  timestamp_value: 3,
  string_value: 4,
  bytes_value: 5,
  reference_value: 6,
  geo_point_value: 7,
  array_value: 8,
  map_value: 9,
};

/** The oneof case of a protobuf `Value` (its `toObject()` fills every case, so it cannot be used). */
export function typeOf(value) {
  const type = value.value_type;
  if (!(type in TYPE_ORDER)) throw new Error(`unsupported value type ${String(type)}`);
  return type;
}

/** The comparison class of a value: range filters only match values of the filter value's class. */
export function typeClass(value) {
  return TYPE_ORDER[typeOf(value)];
}

function compareNumbers(a, b) {
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function compareUtf8(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareReferences(a, b) {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i += 1) {
    const c = compareUtf8(as[i], bs[i]);
    if (c !== 0) return c;
  }
  return compareNumbers(as.length, bs.length);
}

function numberOf(value) {
  return value.value_type === 'integer_value' ? Number(value.integer_value) : value.double_value;
}

/** Firestore's total order of values: -1, 0 or 1. */
export function compareValues(a, b) {
  const byType = compareNumbers(typeClass(a), typeClass(b));
  if (byType !== 0) return byType;
  switch (typeOf(a)) {
    case 'null_value':
      return 0;
    case 'boolean_value':
      return compareNumbers(Number(a.boolean_value), Number(b.boolean_value));
    case 'integer_value':
    case 'double_value':
      return compareNumbers(numberOf(a), numberOf(b));
    case 'timestamp_value':
      return (
        compareNumbers(Number(a.timestamp_value.seconds), Number(b.timestamp_value.seconds)) ||
        compareNumbers(a.timestamp_value.nanos, b.timestamp_value.nanos)
      );
    case 'string_value':
      return compareUtf8(a.string_value, b.string_value);
    case 'bytes_value':
      return compareBytes(a.bytes_value, b.bytes_value);
    case 'reference_value':
      return compareReferences(a.reference_value, b.reference_value);
    case 'geo_point_value':
      return (
        compareNumbers(a.geo_point_value.latitude, b.geo_point_value.latitude) ||
        compareNumbers(a.geo_point_value.longitude, b.geo_point_value.longitude)
      );
    case 'array_value': {
      const av = a.array_value.values;
      const bv = b.array_value.values;
      for (let i = 0; i < Math.min(av.length, bv.length); i += 1) {
        const c = compareValues(av[i], bv[i]);
        if (c !== 0) return c;
      }
      return compareNumbers(av.length, bv.length);
    }
    case 'map_value': {
      const ae = [...a.map_value.fields.entries()].sort(([x], [y]) => compareUtf8(x, y));
      const be = [...b.map_value.fields.entries()].sort(([x], [y]) => compareUtf8(x, y));
      for (let i = 0; i < Math.min(ae.length, be.length); i += 1) {
        const c = compareUtf8(ae[i][0], be[i][0]) || compareValues(ae[i][1], be[i][1]);
        if (c !== 0) return c;
      }
      return compareNumbers(ae.length, be.length);
    }
    default:
      throw new Error(`unsupported value type ${typeOf(a)}`);
  }
}

/** Whether a value is a double NaN. */
export function isNaNValue(value) {
  return value.value_type === 'double_value' && Number.isNaN(value.double_value);
}

/** Equality as filters apply it (`1 == 1.0`; NaN equals nothing). */
export function valuesEqual(a, b) {
  if (isNaNValue(a) || isNaNValue(b)) return false;
  return compareValues(a, b) === 0;
}

/**
 * Splits a field path as the API writes it: segments joined by `.`, a segment quoted with
 * backticks when it is not a simple identifier (`\` escapes inside quotes).
 */
export function parseFieldPath(path) {
  const segments = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < path.length; i += 1) {
    const ch = path[i];
    if (quoted) {
      if (ch === '\\') {
        current += path[i + 1] ?? '';
        i += 1;
      } else if (ch === '`') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '`') {
      quoted = true;
      started = true;
    } else if (ch === '.') {
      segments.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quoted) throw new Error(`unterminated backtick in field path ${path}`);
  if (started || current !== '') segments.push(current);
  return segments;
}

/** The field name of a document's key (`__name__`). */
export const DOCUMENT_KEY = '__name__';
