/**
 * One peer worker: a separate OS process running graphile-worker, pg-boss or BullMQ with the no-op
 * job, driven over IPC like our workers (protocol.ts, worker-host.ts). Forked by the comparison
 * (peer-workloads.ts) through bench/fleet.ts.
 */
import { hostWorker } from '../worker-host.js';
import { loadAdapter } from './adapters.js';
import type { PeerWorkerConfig } from './peer.js';

hostWorker<PeerWorkerConfig>(async (config, record) =>
  (await loadAdapter(config.peer)).worker(config, record),
);
