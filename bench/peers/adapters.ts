/** The peers by name. */
import type { PeerName } from '../cli-options.js';
import { bullMq } from './bullmq.js';
import { graphileWorker } from './graphile-worker.js';
import type { PeerAdapter } from './peer.js';
import { pgBoss } from './pg-boss.js';

/** Loads a peer's package and its adapter. `pgBossSchedules`: pg-boss's W7 size (one queue per schedule). */
export function loadAdapter(name: PeerName, pgBossSchedules = 100): Promise<PeerAdapter> {
  switch (name) {
    case 'graphile-worker':
      return graphileWorker();
    case 'pg-boss':
      return pgBoss(pgBossSchedules);
    case 'bullmq':
      return bullMq();
  }
}
