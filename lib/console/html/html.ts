/** Markup that is already safe: built by {@link html}, never from unescaped input. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/**
 * Builds markup: every interpolated value is escaped, except `SafeHtml` (markup built by this same
 * function) and arrays of values (rendered in turn); `null`, `undefined` and `false` render nothing.
 * Runs of white space in the template's own text become one space (the way HTML renders them), so
 * that the indentation of the source costs nothing on the wire; interpolated values (a payload in a
 * `<pre>`) keep theirs.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  const parts = compacted(strings);
  let out = parts[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (parts[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

const compactedTemplates = new WeakMap<TemplateStringsArray, string[]>();

function compacted(strings: TemplateStringsArray): string[] {
  let parts = compactedTemplates.get(strings);
  if (!parts) {
    parts = strings.map((part) => part.replace(/\s+/g, ' '));
    compactedTemplates.set(strings, parts);
  }
  return parts;
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}
