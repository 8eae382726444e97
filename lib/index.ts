/**
 * nestjs-durable-scheduler: the engine, the memory store, the built-in jobs and the Nest module.
 * The PostgreSQL and Firestore stores are the subpath exports `nestjs-durable-scheduler/postgres`
 * and `nestjs-durable-scheduler/firestore`, and the Prometheus metrics are
 * `nestjs-durable-scheduler/prometheus`, so that their drivers (and prom-client) stay optional.
 */
export * from './core/index.js';
export type * from './core/store/job-store.js';
export * from './stores/memory/index.js';
export * from './jobs/index.js';
export * from './nest/index.js';
export * from './testing/index.js';
