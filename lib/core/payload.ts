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
  try {
    check(payload, '$', new Set<object>(), 0);
  } catch (error) {
    // A Proxy or a getter may throw while it is read: that payload cannot be stored either.
    if (error instanceof InvalidPayloadError) throw error;
    throw new InvalidPayloadError('$', `reading it threw: ${errorMessage(error)}`);
  }
  if (typeof payload === 'object' && payload !== null) {
    const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
    if (bytes > MAX_PAYLOAD_BYTES) throw tooLarge(bytes);
  } else if (typeof payload === 'string' && payload.length * 3 > MAX_PAYLOAD_BYTES) {
    const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
    if (bytes > MAX_PAYLOAD_BYTES) throw tooLarge(bytes);
  }
}

function tooLarge(bytes: number): InvalidPayloadError {
  return new InvalidPayloadError('$', `it is ${bytes} bytes once stored; the limit is ${MAX_PAYLOAD_BYTES}`);
}

function check(value: unknown, path: string, seen: Set<object>, depth: number): void {
  if (value === null) return;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidPayloadError(path, `${value} is not a finite number`);
      return;
    case 'object':
      break;
    default:
      throw new InvalidPayloadError(path, `a ${typeof value} cannot be stored as JSON`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new InvalidPayloadError(path, 'it contains a cycle');
  if (depth >= MAX_PAYLOAD_DEPTH) {
    throw new InvalidPayloadError(path, `it is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  }
  seen.add(obj);
  if (Array.isArray(obj)) {
    obj.forEach((item, i) => check(item, `${path}[${i}]`, seen, depth + 1));
  } else {
    // A plain object's prototype is Object.prototype, of whichever realm made it: payloads copied by
    // structuredClone come from Node's own realm, which under Jest (a vm context) is not the test's.
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      const name = (obj.constructor as { name?: string } | undefined)?.name ?? 'object';
      throw new InvalidPayloadError(
        path,
        `a ${name} is not a plain JSON object (only a top-level Buffer is kept as bytes)`,
      );
    }
    for (const [key, item] of Object.entries(obj)) check(item, `${path}.${key}`, seen, depth + 1);
  }
  seen.delete(obj);
}

/** A deep copy, so that a store never shares a mutable payload with its caller. */
export function clonePayload(payload: Payload): Payload {
  if (Buffer.isBuffer(payload)) return Buffer.from(payload);
  return payload === null || typeof payload !== 'object' ? payload : structuredClone(payload);
}
