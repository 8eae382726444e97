/**
 * The model of a fault run: per slug, its incarnations (one per successful `scheduleJob`, the
 * `inc` id carried in the payload) and what the operations observed about them (replaced,
 * deleted, paused, triggered, found absent, corrupted), plus the faults injected and when.
 *
 * It is an observing model: with real processes and real time nobody can predict when a run
 * happens, so it records what each operation returned and the checker (invariants.ts) derives the
 * allowed end states from those observations and the promised rules.
 */
import type { Behaviour } from './behaviours.js';
import type { Stamp } from './journal.js';

/** From the call of an operation to its return. */
export interface Span {
  from: Stamp;
  to: Stamp;
}

export interface Incarnation {
  id: string;
  slug: string;
  kind: string;
  behaviour: Behaviour;
  recurring: boolean;
  created: Span;
  /** Created by `replace: true` over an existing task. */
  replaced: boolean;
  /** Replaced (by a later incarnation) or deleted, through which instance. */
  superseded: { by: 'replace' | 'delete'; span: Span; via: string } | null;
  /** After the last successful pause/resume. */
  paused: boolean;
  /** Operations that found the task absent (not found, or a create without replace that succeeded). */
  absentSeen: Span[];
  triggers: Span[];
  reschedules: Span[];
  /** A schedule was written into the task by hand (idle task only). */
  corrupted: Span | null;
  /** An operation on it failed with an untyped (store) error: what the store holds is not known. */
  ambiguous: boolean;
}

export interface OperationRecord {
  span: Span;
  text: string;
  slug: string | null;
  outcome: string;
}

export interface FaultRecord {
  span: Span;
  text: string;
  /** The instance it hit, `db`, or `clock`. */
  target: string;
  /** When its effect ended (scheduler time): a stall lasts its `ms`. */
  untilT: number;
}

/** A violation found while the run went on (not from the end state). */
export interface RunViolation {
  rule: string;
  message: string;
  slug?: string;
}

export class RunModel {
  private nextInc = 0;
  readonly incarnations = new Map<string, Incarnation>();
  private readonly currentBySlug = new Map<string, Incarnation>();
  readonly operations: OperationRecord[] = [];
  readonly faults: FaultRecord[] = [];
  /** Instances SIGKILLed, and when. */
  readonly killed = new Map<string, Stamp>();
  /** Instances that died by themselves (a violation of its own), and their last record. */
  readonly died = new Map<string, Stamp>();
  readonly violations: RunViolation[] = [];

  newIncId(): string {
    this.nextInc += 1;
    return `i${this.nextInc}`;
  }

  /** The latest incarnation of a slug (superseded or not), if any. */
  current(slug: string): Incarnation | undefined {
    return this.currentBySlug.get(slug);
  }

  /** The latest incarnation if it is not deleted. */
  live(slug: string): Incarnation | undefined {
    const inc = this.currentBySlug.get(slug);
    return inc && !inc.superseded ? inc : undefined;
  }

  created(
    fields: Omit<Incarnation, 'superseded' | 'absentSeen' | 'triggers' | 'reschedules' | 'corrupted'>,
    via: string,
  ): void {
    const previous = this.live(fields.slug);
    if (previous) {
      if (fields.replaced) previous.superseded = { by: 'replace', span: fields.created, via };
      // Created without replace: the previous incarnation was gone by then.
      else previous.absentSeen.push(fields.created);
    }
    const inc: Incarnation = {
      ...fields,
      superseded: null,
      absentSeen: [],
      triggers: [],
      reschedules: [],
      corrupted: null,
    };
    this.incarnations.set(inc.id, inc);
    this.currentBySlug.set(inc.slug, inc);
  }

  slugs(): string[] {
    return [...this.currentBySlug.keys()];
  }

  incarnationsOf(slug: string): Incarnation[] {
    return [...this.incarnations.values()].filter((inc) => inc.slug === slug);
  }
}
