/** The gRPC status codes the strict emulator answers with (the numbers real Firestore uses). */
export const Code = Object.freeze({
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
});

/** An error the strict service turns into a gRPC status, so that the client sees the code Firestore would send. */
export class RpcError extends Error {
  /**
   * @param {number} code a gRPC status code
   * @param {string} message what the client sees as `details`
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The gRPC status object for an error: RpcErrors keep their code, anything else is INTERNAL. */
export function toStatus(err) {
  if (err instanceof RpcError) return { code: err.code, details: err.message, message: err.message };
  const message = `strict emulator: ${err instanceof Error ? err.message : String(err)}`;
  return { code: Code.INTERNAL, details: message, message };
}

/** Refuses a feature the strict emulator does not implement faithfully, instead of ignoring it. */
export function unimplemented(what) {
  return new RpcError(Code.UNIMPLEMENTED, `strict Firestore test emulator: ${what} is not supported`);
}
