/** The peers by name. */
import type { PeerName } from '../cli-options.js';
import { bullMq } from './bullmq.js';
import { graphileWorker } from './graphile-worker.js';
import type { PeerAdapter } from './peer.js';
import { pgBoss } from './pg-boss.js';

/** The most W7 schedules a peer is given (what it can express or finish; see each adapter). */
export interface PeerW7Caps {
  /** pg-boss: one queue (one partition table) per schedule. */
  pgBossSchedules: number;
  /** graphile-worker: crontab items (its per-minute statement grows faster than linearly). */
  graphileCronItems: number;
}

export const DEFAULT_W7_CAPS: PeerW7Caps = { pgBossSchedules: 100, graphileCronItems: 10_000 };

/** Loads a peer's package and its adapter. */
export function loadAdapter(name: PeerName, caps: PeerW7Caps = DEFAULT_W7_CAPS): Promise<PeerAdapter> {
  switch (name) {
    case 'graphile-worker':
      return graphileWorker(caps.graphileCronItems);
    case 'pg-boss':
      return pgBoss(caps.pgBossSchedules);
    case 'bullmq':
      return bullMq();
  }
}
