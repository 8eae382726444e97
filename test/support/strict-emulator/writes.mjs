/**
 * All-or-nothing commits over the emulator's state.
 *
 * The pinned emulator applies the writes of a commit one by one and stops at the first failing
 * precondition, keeping the writes before it; it ignores `updateTime` preconditions; a `set`
 * without merge keeps the fields the new data does not name; and an update mask naming a field the
 * data lacks (`FieldValue.delete()`) leaves the field in place. Here every precondition of the
 * commit is checked first against the state as the earlier writes of the same commit would leave
 * it, and only then is anything applied (restoring the touched documents should applying still
 * throw). Writes are delegated to the emulator's own `writeV1Document` in a normalised form
 * (no mask, no precondition) so that values are converted by its own classes.
 */
import { createRequire } from 'node:module';

import { Code, RpcError, unimplemented } from './status.mjs';
import { parseFieldPath } from './values.mjs';

const require = createRequire(import.meta.url);
const { Write } = require('@firestore-emulator/proto/dist/google/firestore/v1/write');
const { Document } = require('@firestore-emulator/proto/dist/google/firestore/v1/document');

function millisOf(timestamp) {
  return Number(timestamp.seconds) * 1000 + timestamp.nanos / 1e6;
}

function describeWrite(write) {
  if (write.has_delete) return { path: write.delete, isDelete: true, maskKeys: null };
  if (write.has_update) {
    if (write.update.has_create_time || write.update.has_update_time) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        'a written document may not carry create_time or update_time',
      );
    }
    let maskKeys = null;
    if (write.has_update_mask) {
      maskKeys = write.update_mask.field_paths.map((path) => {
        const segments = parseFieldPath(path);
        if (segments.length !== 1) throw unimplemented('nested field paths in update masks');
        return segments[0];
      });
    }
    return { path: write.update.name, isDelete: false, maskKeys };
  }
  if (write.has_transform) throw unimplemented('transform-only writes');
  throw new RpcError(Code.INVALID_ARGUMENT, 'a write must be an update or a delete');
}

/**
 * Checks every precondition before anything is written, against the state as the commit's earlier
 * writes would leave it. Real Firestore answers NOT_FOUND / ALREADY_EXISTS for `exists` and
 * FAILED_PRECONDITION for a stale `updateTime`.
 */
function checkPreconditions(state, described, writes, commitMs) {
  const simulated = new Map();
  writes.forEach((write, i) => {
    const { path, isDelete } = described[i];
    let current = simulated.get(path);
    if (current === undefined) {
      const meta = state.getDocument(path).metadata;
      current = { exists: meta.hasExist, updateMs: meta.hasExist ? meta.updatedAt.getTime() : null };
    }
    if (write.has_current_document) {
      const pre = write.current_document;
      if (pre.has_exists) {
        if (pre.exists && !current.exists) throw new RpcError(Code.NOT_FOUND, `no entity to update: ${path}`);
        if (!pre.exists && current.exists)
          throw new RpcError(Code.ALREADY_EXISTS, `entity already exists: ${path}`);
      }
      if (pre.has_update_time && (!current.exists || current.updateMs !== millisOf(pre.update_time))) {
        throw new RpcError(
          Code.FAILED_PRECONDITION,
          `the stored version of ${path} does not match the required base version (updateTime precondition)`,
        );
      }
    }
    simulated.set(path, isDelete ? { exists: false, updateMs: null } : { exists: true, updateMs: commitMs });
  });
}

/** The write as the emulator applies it correctly: the named fields only, no mask, no precondition. */
function normalisedUpdate(write, maskKeys) {
  const fields = new Map();
  for (const [key, value] of write.update.fields) {
    if (maskKeys === null || maskKeys.includes(key)) fields.set(key, value);
  }
  return new Write({
    update: new Document({ name: write.update.name, fields }),
    update_transforms: write.update_transforms,
  });
}

function applyWrite(state, date, write, { path, isDelete, maskKeys }) {
  const doc = state.getDocument(path);
  if (isDelete) {
    if (doc.metadata.hasExist) doc.delete();
    return;
  }
  // A set without merge replaces the document; the emulator would merge into the old fields.
  if (maskKeys === null && doc.metadata.hasExist) doc.fields = {};
  state.writeV1Document(date, normalisedUpdate(write, maskKeys));
  if (maskKeys !== null) {
    const removed = maskKeys.filter((key) => !write.update.fields.has(key));
    if (removed.length > 0) {
      const kept = { ...doc.fields };
      for (const key of removed) delete kept[key];
      doc.fields = kept;
    }
  }
}

/**
 * Applies the writes of one commit atomically at `date`.
 *
 * @returns the paths written, in order
 * @throws RpcError for a failed precondition or an unsupported write; nothing is applied then
 */
export function applyWritesAtomically(state, writes, date) {
  const described = writes.map(describeWrite);
  checkPreconditions(state, described, writes, date.getTime());

  const snapshots = new Map();
  for (const { path } of described) {
    if (!snapshots.has(path)) {
      const doc = state.getDocument(path);
      snapshots.set(path, { doc, metadata: doc.metadata, fields: doc.fields });
    }
  }
  try {
    writes.forEach((write, i) => applyWrite(state, date, write, described[i]));
  } catch (err) {
    for (const { doc, metadata, fields } of snapshots.values()) {
      doc.metadata = metadata;
      doc.fields = fields;
    }
    throw err;
  }
  return described.map((d) => d.path);
}
