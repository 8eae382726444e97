import { compareSlugs } from '../../core/store/store-rules.js';

/**
 * The slugs of a store in slug order (code point order, `compareSlugs`), for
 * `getSlugs` and cursor pages of `list`.
 *
 * Kept lazily so that writes stay O(1): new slugs wait in a side list and are sorted and merged
 * in on the next read (O(n + m log m) for m new slugs), and deleted slugs are skipped on read and
 * swept out once they make up half the array. A burst of a million creates costs one sort, not a
 * million array insertions.
 */
export class SortedSlugs {
  private sorted: string[] = [];
  private added: string[] = [];
  private stale = 0;

  /** @param isLive whether a slug still names a task (deleted slugs are dropped lazily) */
  constructor(private readonly isLive: (slug: string) => boolean) {}

  /** Records a new slug (call once per creation of a slug that did not exist). */
  add(slug: string): void {
    this.added.push(slug);
  }

  /** Records that a slug was deleted. */
  delete(): void {
    this.stale += 1;
  }

  /** Forgets everything. */
  clear(): void {
    this.sorted = [];
    this.added = [];
    this.stale = 0;
  }

  /** Every live slug, in order. */
  all(): string[] {
    return this.compacted().filter(this.isLive);
  }

  /** Live slugs strictly after `cursor` (all of them when `cursor` is null), in order, lazily. */
  *after(cursor: string | null): Generator<string> {
    const slugs = this.compacted();
    let index = cursor === null ? 0 : firstAfter(slugs, cursor);
    for (; index < slugs.length; index += 1) {
      if (this.isLive(slugs[index])) yield slugs[index];
    }
  }

  /** Live slugs from `start` on (`start` included when live), in order, lazily. */
  *from(start: string): Generator<string> {
    const slugs = this.compacted();
    for (let index = firstAtOrAfter(slugs, start); index < slugs.length; index += 1) {
      if (this.isLive(slugs[index])) yield slugs[index];
    }
  }

  private compacted(): string[] {
    if (this.added.length > 0 || this.stale * 2 > this.sorted.length) {
      this.sorted = merge(this.sorted, this.added.sort(compareSlugs), this.isLive);
      this.added = [];
      this.stale = 0;
    }
    return this.sorted;
  }
}

/** Merges two sorted lists, keeping live slugs once each (a slug deleted and re-created sits in both). */
function merge(a: readonly string[], b: readonly string[], isLive: (slug: string) => boolean): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && compareSlugs(a[i], b[j]) <= 0) ? a[i++] : b[j++];
    if (isLive(next) && out[out.length - 1] !== next) out.push(next);
  }
  return out;
}

/** The index of the first slug greater than `cursor`. */
function firstAfter(slugs: readonly string[], cursor: string): number {
  let low = 0;
  let high = slugs.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareSlugs(slugs[mid], cursor) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The index of the first slug at or after `start`. */
function firstAtOrAfter(slugs: readonly string[], start: string): number {
  let low = 0;
  let high = slugs.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (slugs[mid] < start) low = mid + 1;
    else high = mid;
  }
  return low;
}
