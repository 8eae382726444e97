import { VirtualClock } from '../../lib/core/clock.js';
import type { StoreTask } from '../../lib/core/job.js';
import type { LeaseRef, TaskOutcome, TaskPatch } from '../../lib/core/store/job-store.js';
import { MemoryStore } from '../../lib/stores/memory/index.js';

/** What the reference model knows of a task: the fields that decide claiming. */
interface ModelTask {
  kind: string;
  runAt: number;
  paused: boolean;
  failed: boolean;
  lockedBy: string | null;
  lockedUntil: number | null;
  version: number;
}

const KINDS = ['k0', 'k1', 'k2'];
const OWNERS = ['o0', 'o1', 'o2'];
const START = Date.UTC(2030, 0, 1);

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * Runs random operations against the MemoryStore and against a model that scans every task the
 * slow, obvious way, and compares what they claim, what nextRun says and what each task looks
 * like. It guards the heap bookkeeping (leases moving between queues, paused and failed tasks
 * leaving them) that the contract suite exercises only case by case.
 */
export function describeMemoryStoreModelCheck(): void {
  describe('MemoryStore against a scanning model', () => {
    it.each([1, 2, 3])('agrees over 3,000 random operations (seed %i)', async (seed) => {
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
      const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
      const clock = new VirtualClock(START);
      const store = new MemoryStore({ clock });
      const model = new Map<string, ModelTask>();
      const held = new Map<string, LeaseRef[]>(OWNERS.map((owner) => [owner, []]));
      let unique = 0;
      // Distinct runAts, so that the claim order is fully determined by runAt.
      const freshTime = (): number => clock.now().getTime() + int(-30, 30) * 1000 + (unique += 1);
      const now = (): number => clock.now().getTime();
      const live = (t: ModelTask): boolean => t.lockedUntil !== null && t.lockedUntil > now();

      for (let step = 0; step < 3000; step += 1) {
        const slug = `s${int(0, 25)}`;
        const op = int(0, 9);
        if (op === 0) {
          const replace = next() < 0.3;
          const kind = pick(KINDS);
          const runAt = freshTime();
          const paused = next() < 0.1;
          const exists = model.has(slug);
          const created = store.create(
            { slug, kind, payload: null, runAt: new Date(runAt), schedule: null, paused },
            { replace },
          );
          if (exists && !replace) {
            await expect(created).rejects.toThrow();
          } else {
            await created;
            const version = exists ? (model.get(slug) as ModelTask).version + 1 : 1;
            model.set(slug, {
              kind,
              runAt,
              paused,
              failed: false,
              lockedBy: null,
              lockedUntil: null,
              version,
            });
          }
        } else if (op <= 2) {
          const kinds = KINDS.filter(() => next() < 0.6);
          const owner = pick(OWNERS);
          const limit = int(1, 4);
          const leaseMs = int(1, 5) * 1000;
          const expected = [...model.entries()]
            .filter(
              ([, t]) => kinds.includes(t.kind) && !t.paused && !t.failed && t.runAt <= now() && !live(t),
            )
            .sort(([, a], [, b]) => a.runAt - b.runAt)
            .slice(0, limit);
          const claimed = await store.claim({ kinds, owner, limit, leaseMs });
          expect(claimed.map((t) => t.slug)).toEqual(expected.map(([s]) => s));
          for (const [s, t] of expected) {
            Object.assign(t, { lockedBy: owner, lockedUntil: now() + leaseMs, version: t.version + 1 });
            held.get(owner)?.push({ slug: s, version: t.version });
          }
        } else if (op === 3) {
          const owner = pick(OWNERS);
          const refs = (held.get(owner) ?? []).filter(() => next() < 0.5);
          const outcomes: TaskOutcome[] = refs.map((ref) =>
            next() < 0.3
              ? { ...ref, type: 'delete' }
              : {
                  ...ref,
                  type: 'reschedule',
                  runAt: new Date(freshTime()),
                  retry: 0,
                  result: null,
                  failed: next() < 0.1,
                },
          );
          const result = await store.settle(owner, outcomes);
          const applied: string[] = [];
          for (const outcome of outcomes) {
            const t = model.get(outcome.slug);
            if (!t || t.lockedBy !== owner || t.version !== outcome.version) continue;
            applied.push(outcome.slug);
            if (outcome.type === 'delete') {
              model.delete(outcome.slug);
            } else {
              Object.assign(t, { runAt: outcome.runAt.getTime(), failed: outcome.failed, lockedBy: null });
              Object.assign(t, { lockedUntil: null, version: t.version + 1 });
            }
          }
          expect(result.applied).toEqual(applied);
        } else if (op === 4) {
          const owner = pick(OWNERS);
          const refs = (held.get(owner) ?? []).filter(() => next() < 0.5);
          const leaseMs = int(1, 5) * 1000;
          const extended = await store.extendLease(owner, refs, leaseMs);
          const expected = refs.filter((ref) => {
            const t = model.get(ref.slug);
            if (!t || t.lockedBy !== owner || t.version !== ref.version) return false;
            t.lockedUntil = now() + leaseMs;
            return true;
          });
          expect(extended).toEqual(expected.map((ref) => ref.slug));
        } else if (op === 5) {
          const owner = pick(OWNERS);
          const refs = (held.get(owner) ?? []).filter(() => next() < 0.5);
          await store.release(owner, refs);
          for (const ref of refs) {
            const t = model.get(ref.slug);
            if (t && t.lockedBy === owner && t.version === ref.version)
              Object.assign(t, { lockedBy: null, lockedUntil: null });
          }
        } else if (op === 6) {
          const ifIdle = next() < 0.5;
          const roll = next();
          const patch: TaskPatch =
            roll < 0.4
              ? { paused: next() < 0.5 }
              : roll < 0.8
                ? { runAt: new Date(freshTime()) }
                : { failed: next() < 0.5 };
          const result = await store.update(slug, patch, { ifIdle });
          const t = model.get(slug);
          if (!t) {
            expect(result.status).toBe('not-found');
          } else if (ifIdle && live(t)) {
            expect(result.status).toBe('running');
          } else {
            expect(result.status).toBe('updated');
            if (patch.paused !== undefined) t.paused = patch.paused;
            if (patch.failed !== undefined)
              Object.assign(t, { failed: patch.failed, version: t.version + 1 });
            if (patch.runAt !== undefined)
              Object.assign(t, { runAt: patch.runAt.getTime(), version: t.version + 1 });
          }
        } else if (op === 7) {
          const kind = pick(KINDS);
          const paused = next() < 0.5;
          let changed = 0;
          for (const t of model.values()) {
            if (t.kind === kind && t.paused !== paused) {
              t.paused = paused;
              changed += 1;
            }
          }
          expect(await store.setPausedByKind(kind, paused)).toBe(changed);
        } else if (op === 8) {
          expect(await store.delete(slug)).toBe(model.delete(slug));
        } else {
          clock.advanceBy(int(0, 4000));
        }

        const kinds = KINDS.filter(() => next() < 0.6);
        expect(normalise(await store.nextRun(kinds), now())).toEqual(
          normalise(modelNextRun(model, kinds, now()), now()),
        );
      }

      for (const [slug, t] of model) {
        const stored = (await store.get(slug)) as StoreTask;
        expect(t).toEqual({
          kind: stored.kind,
          runAt: stored.runAt.getTime(),
          paused: stored.paused,
          failed: stored.failed,
          lockedBy: stored.lockedBy,
          lockedUntil: stored.lockedUntil?.getTime() ?? null,
          version: stored.version,
        });
      }
      expect(await store.getSlugs()).toEqual([...model.keys()].sort());
    });
  });
}

/** When the task becomes claimable, per the JobStore TSDoc: max(runAt, lockedUntil), paused and failed aside. */
function modelNextRun(model: Map<string, ModelTask>, kinds: readonly string[], now: number): number | null {
  let earliest: number | null = null;
  for (const t of model.values()) {
    if (!kinds.includes(t.kind) || t.paused || t.failed) continue;
    const at = t.lockedUntil !== null && t.lockedUntil > now ? Math.max(t.runAt, t.lockedUntil) : t.runAt;
    earliest = earliest === null ? at : Math.min(earliest, at);
  }
  return earliest;
}

/** Any time at or before now means "due now"; exactly which past time is not part of the contract. */
function normalise(at: Date | number | null, now: number): number | 'due' | null {
  if (at === null) return null;
  const ms = typeof at === 'number' ? at : at.getTime();
  return ms <= now ? 'due' : ms;
}
