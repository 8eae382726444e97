import { createTraceState, isSpanContextValid, type SpanContext, TraceFlags } from '@opentelemetry/api';

import { MAX_TRACE_CONTEXT_BYTES } from '../core/arguments.js';
import type { TraceContext } from '../core/job.js';

/** `version-traceid-spanid-flags`, W3C Trace Context level 1 (a later version may append fields). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The trace context stored with a task for a span context: the W3C `traceparent`, and the
 * `tracestate` when there is one and it fits {@link MAX_TRACE_CONTEXT_BYTES} (else it is left out:
 * the link needs only the ids). Written by the library itself, whatever propagator the app uses, so
 * that what a store holds has one format. `null` for an invalid span context (no SDK registered).
 */
export function traceContextOf(spanContext: SpanContext): TraceContext | null {
  if (!isSpanContextValid(spanContext)) return null;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize() ?? '';
  const bytes = 'traceparent'.length + traceparent.length + 'tracestate'.length;
  if (tracestate === '' || bytes + Buffer.byteLength(tracestate, 'utf8') > MAX_TRACE_CONTEXT_BYTES) {
    return { traceparent };
  }
  return { traceparent, tracestate };
}

/** The remote span context a stored trace context names, or `null` when it names none. */
export function spanContextOf(traceContext: TraceContext | undefined): SpanContext | null {
  const match = TRACEPARENT.exec(traceContext?.traceparent ?? '');
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  const spanContext: SpanContext = {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  const tracestate = traceContext?.tracestate;
  if (tracestate) spanContext.traceState = createTraceState(tracestate);
  return isSpanContextValid(spanContext) ? spanContext : null;
}
