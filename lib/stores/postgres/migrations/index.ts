import { migration0001Init } from './0001-init.js';
import { migration0002Incarnation } from './0002-incarnation.js';
import { migration0003Instances } from './0003-instances.js';
import { migration0004TraceContext } from './0004-trace-context.js';
import { migration0005Policies } from './0005-policies.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in version order. A new one is a new numbered file plus one line here. */
export const migrations: readonly Migration[] = [
  migration0001Init,
  migration0002Incarnation,
  migration0003Instances,
  migration0004TraceContext,
  migration0005Policies,
];
