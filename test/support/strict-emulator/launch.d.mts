/** A Firestore emulator running as a child process. */
export interface RunningFirestoreEmulator {
  /** `127.0.0.1:port`, the form `FIRESTORE_EMULATOR_HOST` takes. */
  host: string;
  /** `strict`: the harness of this folder; `raw`: @firestore-emulator/server 0.3.15 as shipped. */
  mode: 'strict' | 'raw';
  /** Stops the child and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the test emulator (strict unless `raw`) on 127.0.0.1 on a free port. */
export function startFirestoreEmulator(options?: { raw?: boolean }): Promise<RunningFirestoreEmulator>;
