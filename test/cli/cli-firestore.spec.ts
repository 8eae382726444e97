/**
 * The command line on Firestore (the strict emulator the global setup started, through
 * FIRESTORE_EMULATOR_HOST): the operator commands of the shared suite, and `migrate`'s answer.
 */
import { silentLogger } from '../../lib/core/logger.js';
import { FirestoreStore } from '../../lib/stores/firestore/index.js';
import { createTestFirestore, TEST_PROJECT_ID, uniqueCollection } from '../support/firestore-emulator.js';
import { cli } from './cli-process.js';
import { describeCliSuite } from './cli.suite.js';

describe('the command line on Firestore: migrate and store options', () => {
  it('has no schema to migrate: says so and exits with 0', async () => {
    expect(await cli(['migrate', '--project', TEST_PROJECT_ID])).toEqual({
      code: 0,
      stdout:
        'Firestore has no schema to migrate; deploy the indexes of firestore.indexes.json (see docs/firestore.md)\n',
      stderr: '',
    });
  });

  it('refuses the PostgreSQL options with exit code 2', async () => {
    const run = await cli(['list', '--project', TEST_PROJECT_ID, '--table', 'tasks']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--table is an option of the PostgreSQL store');
  });
});

describeCliSuite('Firestore', async () => {
  const firestore = createTestFirestore();
  const collection = uniqueCollection('cli');
  const store = new FirestoreStore({ firestore, collection, logger: silentLogger });
  await store.init();
  return {
    store,
    storeArgs: ['--project', TEST_PROJECT_ID, '--collection', collection],
    // Checked on PostgreSQL; each Firestore command loads the Firestore client (a second or so).
    checkTables: false,
    cleanup: async () => {
      await store.close();
      await firestore.terminate();
    },
  };
});
