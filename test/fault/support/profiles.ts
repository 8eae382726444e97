/**
 * What each store's runs generate. In-process times are virtual ms (a run covers minutes of
 * scheduler time in milliseconds); worker-process times are real ms, kept short so that a run takes
 * seconds: leases of 1.5 s, hangs that outlive a lease or a timeout, stalls shorter and longer than
 * a lease.
 */
import { FAULT_KINDS } from '../fixtures/hostile-jobs.mjs';
import type { CommandProfile } from './commands.js';

export const MEMORY_PROFILE: CommandProfile = {
  slugs: ['s0', 's1', 's2', '\u00df3'],
  via: 2,
  workers: 0,
  maxCommands: 25,
  delays: [0, 1_000, 15_000, 60_000],
  waits: [1_000, 10_000, 45_000, 120_000],
  hangMs: [5_000, 45_000, 150_000],
  stallMs: [],
  downMs: [],
  kinds: FAULT_KINDS,
  faults: ['jump', 'restart-instance'],
  recurring: true,
};

export const PROCESS_PROFILE: CommandProfile = {
  slugs: ['p0', 'p1', 'p2'],
  via: 1,
  workers: 2,
  maxCommands: 12,
  delays: [0, 300, 1_200],
  waits: [200, 800, 2_000],
  hangMs: [200, 2_000, 3_000],
  stallMs: [800, 2_500],
  downMs: [],
  kinds: FAULT_KINDS,
  faults: ['reset', 'stall', 'kill', 'stop-stalled'],
  recurring: true,
};

/** The owned-server runs: fewer, shorter sequences, with database restarts. */
export const RESTART_PROFILE: CommandProfile = {
  ...PROCESS_PROFILE,
  slugs: ['r0', 'r1', 'r2'],
  maxCommands: 10,
  downMs: [300, 2_000],
  faults: ['restart-db', 'restart-db', 'kill', 'reset'],
};
