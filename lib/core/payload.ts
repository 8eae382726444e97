import { errorMessage } from './error-text.js';
import { InvalidPayloadError } from './errors/invalid-payload.error.js';

/** A JSON value: what `JSON.stringify` / `JSON.parse` round-trip exactly. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a task carries to its job: any JSON value, or raw bytes as a `Buffer`.
 * Every store returns it exactly as it was given (a `Buffer` comes back as a `Buffer`).
 */
export type Payload = JsonValue | Buffer;

/** The deepest nesting of arrays and objects a payload may have (every store can hold it). */
export const MAX_PAYLOAD_DEPTH = 64;

/** The largest payload, in bytes of its stored form (JSON text as UTF-8, or the Buffer's length). */
export const MAX_PAYLOAD_BYTES = 512 * 1024;

/**
 * Refuses, before anything is written, a payload that a store could not give back exactly:
 * `undefined`, functions, symbols, bigints, non-finite numbers, `Date`s and other class
 * instances, cycles, nesting deeper than {@link MAX_PAYLOAD_DEPTH} and more than
 * {@link MAX_PAYLOAD_BYTES} once stored.
 *
 * @throws {@link InvalidPayloadError} naming the offending path.
 */
export function assertStorablePayload(payload: unknown): asserts payload is Payload {
  if (Buffer.isBuffer(payload)) {
    if (payload.length > MAX_PAYLOAD_BYTES) throw tooLarge(payload.length);
    return;
  }
  // Scalars (most payloads: null, a string or a number) need no path or cycle bookkeeping.
  if (payload === null || typeof payload !== 'object') {
    if (check(payload, NO_PATH, NO_OBJECTS) > MAX_PAYLOAD_BYTES) assertSize(payload);
    return;
  }
  let bound: number;
  const path: Array<string | number> = [];
  try {
    bound = check(payload, path, new Set<object>());
  } catch (error) {
    if (error instanceof InvalidPayloadError) throw error;
    // A Proxy or a getter may throw while it is read: that payload cannot be stored either.
    throw new InvalidPayloadError(pathText(path), `reading it threw: ${errorMessage(error)}`);
  }
  // Most payloads are far below the limit by a cheap bound; only one near it is measured exactly.
  if (bound > MAX_PAYLOAD_BYTES) assertSize(payload);
}

const NO_PATH: Array<string | number> = [];
const NO_OBJECTS = new Set<object>();

/** Measures a payload's stored size exactly. */
function assertSize(payload: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) throw tooLarge(bytes);
}

function tooLarge(bytes: number): InvalidPayloadError {
  return new InvalidPayloadError('$', `it is ${bytes} bytes once stored; the limit is ${MAX_PAYLOAD_BYTES}`);
}

/** `$.a[2].b`: where in the payload `path` leads. */
function pathText(path: ReadonlyArray<string | number>): string {
  return '$' + path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
}

/**
 * Checks a value (`path` is where it is: pushed and popped on the way down, so that the text of a
 * path is built only for an error) and returns an upper bound of its JSON text in UTF-8 bytes (a
 * character escapes to at most 6).
 */
function check(value: unknown, path: Array<string | number>, seen: Set<object>): number {
  if (value === null) return 4;
  switch (typeof value) {
    case 'string':
      return value.length * 6 + 2;
    case 'boolean':
      return 5;
    case 'number':
      if (!Number.isFinite(value))
        throw new InvalidPayloadError(pathText(path), `${value} is not a finite number`);
      return 24;
    case 'object':
      break;
    default:
      throw new InvalidPayloadError(pathText(path), `a ${typeof value} cannot be stored as JSON`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new InvalidPayloadError(pathText(path), 'it contains a cycle');
  if (path.length >= MAX_PAYLOAD_DEPTH) {
    throw new InvalidPayloadError(pathText(path), `it is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  seen.add(obj);
  let bound = 2;
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      path.push(i);
      bound += check(obj[i], path, seen) + 1;
      path.pop();
    }
  } else {
    // A plain object's prototype is Object.prototype, of whichever realm made it: payloads copied by
    // structuredClone come from Node's own realm, which under Jest (a vm context) is not the test's.
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      const name = (obj.constructor as { name?: string } | undefined)?.name ?? 'object';
      throw new InvalidPayloadError(
        pathText(path),
        `a ${name} is not a plain JSON object (only a top-level Buffer is kept as bytes)`,
      );
    }
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      path.push(key);
      bound += key.length * 6 + 4 + check((obj as Record<string, unknown>)[key], path, seen);
      path.pop();
    }
  }
  seen.delete(obj);
  return bound;
}

/** A deep copy, so that a store never shares a mutable payload with its caller. */
export function clonePayload(payload: Payload): Payload {
  if (Buffer.isBuffer(payload)) return Buffer.from(payload);
  return copyJson(payload);
}

/**
 * A deep copy of a JSON value (checked: plain objects, arrays and primitives only). Copied by hand:
 * for the small objects payloads mostly are, several times faster than `structuredClone`.
 */
function copyJson(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const copy: { [key: string]: JsonValue } = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    // An own "__proto__" key (JSON.parse makes one) must stay a key, not become the copy's prototype.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: copyJson(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = copyJson(value[key]);
  }
  return copy;
}

/**
 * Whether two payloads hold the same value: bytes for bytes, JSON by value with object keys in any
 * order (a store such as PostgreSQL's jsonb does not keep the order they were written in).
 */
export function samePayload(a: Payload, b: Payload): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b))
    return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  return sameJson(a, b);
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson(a[key], b[key]));
}
