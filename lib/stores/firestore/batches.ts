import type { Firestore, Query } from '@google-cloud/firestore';

/** The most values Firestore takes in one `in` filter. */
export const MAX_IN_VALUES = 30;
/** Writes per commit: below Firestore's limit of 500. */
export const WRITES_PER_COMMIT = 400;

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deletes what a query matches, a commit of a few hundred documents at a time; returns how many. */
export async function deleteMatching(firestore: Firestore, query: Query): Promise<number> {
  let removed = 0;
  for (;;) {
    const snap = await query.select().limit(WRITES_PER_COMMIT).get();
    if (snap.empty) return removed;
    const batch = firestore.batch();
    for (const doc of snap.docs) batch.delete(doc.ref);
    await batch.commit();
    removed += snap.size;
  }
}
