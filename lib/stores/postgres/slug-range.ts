/**
 * The first text, in PostgreSQL's "C" order (UTF-8 bytes, which is code point order), after every
 * text that starts with `prefix`: `prefix` with its last code point replaced by the next one, so that
 * `slug >= prefix AND slug < upper` holds exactly the slugs with that prefix and a page by prefix is
 * one primary key range scan. Trailing U+10FFFF code points have no next one and are dropped first;
 * `null` when nothing is left (a prefix made only of U+10FFFF: every text from it on starts with it).
 */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = [...prefix].map((char) => char.codePointAt(0) as number);
  while (codePoints.length > 0) {
    const last = codePoints.pop() as number;
    if (last === 0x10ffff) continue;
    // The surrogate range holds no code point a text can contain: skip over it.
    const next = last === 0xd7ff ? 0xe000 : last + 1;
    return String.fromCodePoint(...codePoints, next);
  }
  return null;
}
