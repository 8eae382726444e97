/**
 * The longest error text the engine stores or reports, in UTF-8 bytes: a task's `result`, a history
 * record's `error`, an event's `error`. Longer texts are cut (on a code point boundary) and end
 * with {@link TRUNCATION_MARK}.
 */
export const MAX_ERROR_TEXT_BYTES = 8 * 1024;

/** What ends a text cut to {@link MAX_ERROR_TEXT_BYTES}. */
export const TRUNCATION_MARK = '… [truncated]';

/**
 * The message of anything a job (or a store, or a listener) threw, as a bounded, well-formed
 * string. It never throws itself: a job may throw a BigInt, a cyclic object, an object whose
 * `toJSON` or `message` getter throws, a revoked Proxy, or `undefined`, and each must become text
 * rather than an exception thrown out of the engine.
 */
export function errorMessage(error: unknown): string {
  return boundedText(rawMessage(error));
}

/** `text` cut to at most {@link MAX_ERROR_TEXT_BYTES} UTF-8 bytes, lone surrogates made U+FFFD. */
export function boundedText(text: string, maxBytes = MAX_ERROR_TEXT_BYTES): string {
  const wellFormed = text.toWellFormed();
  // Most messages are short: a UTF-8 character is at most 3 bytes per UTF-16 code unit.
  if (wellFormed.length * 3 <= maxBytes || Buffer.byteLength(wellFormed, 'utf8') <= maxBytes) {
    return wellFormed;
  }
  const room = maxBytes - Buffer.byteLength(TRUNCATION_MARK, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of wellFormed) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  return wellFormed.slice(0, end) + TRUNCATION_MARK;
}

function rawMessage(error: unknown): string {
  try {
    if (typeof error === 'string') return error;
    if (error instanceof Error) {
      const message = safeString(() => error.message);
      return message || safeString(() => error.name) || 'Error';
    }
    if (typeof error === 'bigint') return `${error.toString()}n`;
    if (error === undefined) return 'undefined';
    if (typeof error === 'symbol') return error.toString();
    if (typeof error === 'function') return `a function ${safeString(() => error.name) || '(anonymous)'}`;
    if (typeof error === 'object' && error !== null) {
      const json = safeString(() => JSON.stringify(error));
      if (json && json !== '{}') return json;
    }
    return safeString(() => String(error)) || describeType(error);
  } catch {
    return describeType(error);
  }
}

/** `read()` as a string, or '' when it throws or yields something that is not a string. */
function safeString(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

function describeType(value: unknown): string {
  try {
    return `a thrown ${typeof value} that cannot be described`;
  } catch {
    return 'a thrown value that cannot be described';
  }
}
