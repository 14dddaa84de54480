/**
 * Errors a peer sends in answer to a request (docs/protocol.md §5, §9) as ReactorErrors. The
 * protocol's wire codes map to their SDK codes; any other code is the model's own and is kept
 * as the error's code, verbatim.
 */
import { ReactorError, type ReactorErrorCode, reactorError } from "../errors.js";
import { PUBLISH_REFUSED_CODE } from "../v0/messages.js";
import type { WireError } from "./messages.js";

/** Wire error codes the protocol defines → SDK error codes. */
export const WIRE_ERROR_CODES = {
  invalid_command: "INVALID_COMMAND",
  unresolved_upload: "UNRESOLVED_UPLOAD",
  internal_error: "INTERNAL_ERROR",
  [PUBLISH_REFUSED_CODE]: "PUBLISH_REFUSED",
} as const satisfies Record<string, ReactorErrorCode>;

const WORDING: Record<(typeof WIRE_ERROR_CODES)[keyof typeof WIRE_ERROR_CODES], string> = {
  INVALID_COMMAND: "is invalid",
  UNRESOLVED_UPLOAD: "refers to an upload the GPU could not resolve",
  INTERNAL_ERROR: "failed on the GPU",
  PUBLISH_REFUSED: "was refused",
};

/**
 * The ReactorError for an error answer to `what` (e.g. "Command 'set_intensity'"); the peer's
 * message is kept in the error's message. A model-defined code becomes the error's code (gpu,
 * not recoverable).
 */
export function errorFromWire(error: WireError, what: string): ReactorError {
  // A peer that sends no code at all failed in a way it could not name.
  const code = error.code ? WIRE_ERROR_CODES[error.code as keyof typeof WIRE_ERROR_CODES] : "INTERNAL_ERROR";
  const reason = error.message || "(no reason given)";
  if (code) return reactorError(code, `${what} ${WORDING[code]}: ${reason}`);
  return new ReactorError({
    code: error.code,
    message: `${what} failed with '${error.code}': ${reason}`,
    component: "gpu",
    recoverable: false,
  });
}
