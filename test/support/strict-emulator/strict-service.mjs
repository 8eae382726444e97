/**
 * The Firestore gRPC service of the strict test emulator: the pinned @firestore-emulator/server
 * 0.3.15 state, with the methods the store relies on reimplemented so that the emulator refuses
 * what real Firestore refuses.
 *
 * Transactions (the emulator handed every transaction the same dummy id and checked nothing):
 * - each transaction gets its own id, whether begun with BeginTransaction or lazily by its first
 *   read (`new_transaction`, as the Node client does);
 * - every read inside a transaction is recorded: a document read as the document's write
 *   version, a query (or count) as the exact list of documents it returned and their versions;
 * - at commit every recorded read is re-checked (documents re-read, queries re-run) and the commit
 *   is refused with ABORTED (gRPC 10) if anything differs: optimistic concurrency, which gives the
 *   serializable outcome Firestore's own locking gives. The client retries ABORTED transactions.
 * Commits are all-or-nothing with every precondition enforced (writes.mjs); commit times are
 * strictly increasing, so that each write gives a document a new `updateTime`.
 * Queries use the strict engine (query.mjs). Reads at a `read_time` are refused (the emulator
 * keeps no history). Listen (onSnapshot) is passed to the emulator's own implementation, which
 * this harness does not make faithful: the store does not use it.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

import { projectionOf, runStructuredQuery } from './query.mjs';
import { Code, RpcError, toStatus, unimplemented } from './status.mjs';
import { applyWritesAtomically } from './writes.mjs';

const require = createRequire(import.meta.url);
const {
  BatchGetDocumentsResponse,
  BeginTransactionResponse,
  CommitResponse,
  RunAggregationQueryResponse,
  RunQueryResponse,
} = require('@firestore-emulator/proto/dist/google/firestore/v1/firestore');
const { Empty } = require('@firestore-emulator/proto/dist/google/protobuf/empty');

/** Real Firestore expires a transaction after 270 s; a forgotten one must not be kept forever. */
const TRANSACTION_LIFETIME_MS = 270_000;
const CONTENTION_MESSAGE =
  'Aborted due to cross-transaction contention. This occurs when multiple transactions attempt to access the same data, requiring Firestore to abort at least one in order to enforce serializability.';

function timestampOf(date) {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 };
}

/** What one transaction has read: the state it must still find at commit. */
class TransactionRecord {
  constructor(readOnly) {
    this.readOnly = readOnly;
    this.createdAt = Date.now();
    /** path -> write version at the first read */
    this.documents = new Map();
    /** { parent, query, snapshot } for each query or aggregation read */
    this.queries = [];
  }
}

/**
 * Builds the service implementation for a grpc-js `Server.addService` call.
 *
 * @param state the emulator's FirestoreState (shared with `base`)
 * @param base the emulator's own service implementation, used for Listen only
 */
export function createStrictService(state, base) {
  const transactions = new Map();
  /** path -> how many commits have written the document; 0 (absent) for never written */
  const versions = new Map();
  let lastCommitMs = 0;

  const versionOf = (path) => versions.get(path) ?? 0;
  const snapshotOf = (docs) => docs.map((doc) => `${doc.getPath()}@${versionOf(doc.getPath())}`).join('\n');

  function sweepExpired() {
    const cutoff = Date.now() - TRANSACTION_LIFETIME_MS;
    for (const [id, tx] of transactions) if (tx.createdAt < cutoff) transactions.delete(id);
  }

  function begin(options) {
    sweepExpired();
    const id = randomBytes(16);
    transactions.set(id.toString('hex'), new TransactionRecord(options?.has_read_only ?? false));
    return id;
  }

  function lookup(id) {
    const tx = transactions.get(Buffer.from(id).toString('hex'));
    if (!tx)
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        'The referenced transaction has expired or is no longer valid.',
      );
    return tx;
  }

  /** The transaction a read belongs to (starting one if asked), and the id to send back when new. */
  function transactionOfRead(request) {
    switch (request.consistency_selector) {
      case 'transaction':
        return { tx: lookup(request.transaction), newId: undefined };
      case 'new_transaction': {
        const newId = begin(request.new_transaction);
        return { tx: lookup(newId), newId };
      }
      case 'read_time':
        throw unimplemented('reads at a read_time (the emulator keeps no history)');
      default:
        return { tx: null, newId: undefined };
    }
  }

  function recordQuery(tx, parent, query, docs) {
    if (tx && !tx.readOnly) tx.queries.push({ parent, query, snapshot: snapshotOf(docs) });
  }

  /** Throws ABORTED when anything the transaction read has changed since. */
  function validateReads(tx) {
    for (const [path, version] of tx.documents) {
      if (versionOf(path) !== version) throw new RpcError(Code.ABORTED, CONTENTION_MESSAGE);
    }
    for (const { parent, query, snapshot } of tx.queries) {
      if (snapshotOf(runStructuredQuery(state, parent, query)) !== snapshot) {
        throw new RpcError(Code.ABORTED, CONTENTION_MESSAGE);
      }
    }
  }

  function nextCommitDate() {
    lastCommitMs = Math.max(Date.now(), lastCommitMs + 1);
    return new Date(lastCommitMs);
  }

  return {
    BeginTransaction(call, callback) {
      try {
        const id = begin(call.request.has_options ? call.request.options : undefined);
        callback(null, BeginTransactionResponse.fromObject({ transaction: id }));
      } catch (err) {
        callback(toStatus(err), null);
      }
    },

    Rollback(call, callback) {
      transactions.delete(Buffer.from(call.request.transaction).toString('hex'));
      callback(null, Empty.fromObject({}));
    },

    BatchGetDocuments(call) {
      try {
        const request = call.request;
        if (request.has_mask && request.mask.field_paths.length > 0)
          throw unimplemented('field masks on reads');
        const { tx, newId } = transactionOfRead(request);
        const readTime = timestampOf(new Date());
        if (newId) call.write(BatchGetDocumentsResponse.fromObject({ transaction: newId }));
        for (const path of request.documents) {
          const doc = state.getDocument(path);
          if (tx && !tx.readOnly && !tx.documents.has(path)) tx.documents.set(path, versionOf(path));
          call.write(
            BatchGetDocumentsResponse.fromObject(
              doc.metadata.hasExist
                ? { found: doc.toV1DocumentObject(), read_time: readTime }
                : { missing: path, read_time: readTime },
            ),
          );
        }
        call.end();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },

    RunQuery(call) {
      try {
        const request = call.request;
        if (request.has_explain_options) throw unimplemented('query explain');
        const query = request.structured_query;
        const { tx, newId } = transactionOfRead(request);
        const docs = runStructuredQuery(state, request.parent, query);
        recordQuery(tx, request.parent, query, docs);
        const keep = projectionOf(query);
        const readTime = timestampOf(new Date());
        docs.forEach((doc, i) => {
          const document = doc.toV1DocumentObject();
          if (keep)
            document.fields = Object.fromEntries(
              Object.entries(document.fields).filter(([k]) => keep.has(k)),
            );
          call.write(
            RunQueryResponse.fromObject({
              document,
              read_time: readTime,
              transaction: i === 0 ? newId : undefined,
              done: i === docs.length - 1,
            }),
          );
        });
        if (docs.length === 0) {
          call.write(RunQueryResponse.fromObject({ read_time: readTime, transaction: newId, done: true }));
        }
        call.end();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },

    RunAggregationQuery(call) {
      try {
        const request = call.request;
        if (request.has_explain_options) throw unimplemented('query explain');
        const { structured_query: query, aggregations } = request.structured_aggregation_query;
        const { tx, newId } = transactionOfRead(request);
        const docs = runStructuredQuery(state, request.parent, query);
        recordQuery(tx, request.parent, query, docs);
        const fields = {};
        for (const aggregation of aggregations) {
          if (!aggregation.has_count) throw unimplemented('sum and average aggregations');
          const upTo = aggregation.count.has_up_to ? Number(aggregation.count.up_to.value) : Infinity;
          fields[aggregation.alias] = { integer_value: Math.min(docs.length, upTo) };
        }
        call.write(
          RunAggregationQueryResponse.fromObject({
            result: { aggregate_fields: fields },
            read_time: timestampOf(new Date()),
            transaction: newId,
          }),
        );
        call.end();
      } catch (err) {
        call.emit('error', toStatus(err));
      }
    },

    Commit(call, callback) {
      try {
        const request = call.request;
        if (request.transaction.length > 0) {
          const tx = lookup(request.transaction);
          transactions.delete(Buffer.from(request.transaction).toString('hex'));
          if (tx.readOnly && request.writes.length > 0) {
            throw new RpcError(Code.INVALID_ARGUMENT, 'a read-only transaction cannot write');
          }
          validateReads(tx);
        }
        const date = nextCommitDate();
        const paths = applyWritesAtomically(state, request.writes, date);
        for (const path of paths) versions.set(path, versionOf(path) + 1);
        const time = timestampOf(date);
        callback(
          null,
          CommitResponse.fromObject({
            commit_time: time,
            write_results: paths.map(() => ({ update_time: time })),
          }),
        );
      } catch (err) {
        callback(toStatus(err), null);
      }
    },

    Listen(call) {
      return base.Listen(call);
    },
  };
}
