import type { Payload } from '../core/payload.js';

/**
 * A payload as text: a string as itself, a `Buffer` decoded as utf8, anything else as JSON.
 * Built-in jobs use it to log or run what a task carries.
 */
export function payloadText(payload: Payload): string {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return JSON.stringify(payload);
}
