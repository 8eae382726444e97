/**
 * The Firestore store, exported as `nestjs-durable-scheduler/firestore`. Needs the optional peer
 * dependency `@google-cloud/firestore` (8.x or 9.x).
 */
export { FirestoreStore } from './firestore-store.js';
export type { FirestoreStoreOptions } from './options.js';
export { decodeDocumentId, encodeDocumentId, type TaskDocument } from './document.js';
export type { HistoryDocument } from './history-document.js';
