/**
 * Errors a peer sends in answer to a request (docs/protocol.md §5, §9) as ReactorErrors. The
 * protocol's wire codes map to their SDK codes; any other code is the model's own: it becomes a
 * {@link ModelError} (MODEL_ERROR) that carries the model's code, verbatim, as `modelCode`.
 */
import { ReactorError, type ReactorOperation, reactorError } from "../errors.js";
import { PUBLISH_REFUSED_CODE } from "../v0/messages.js";
import type { WireError } from "./messages.js";

/** Wire error codes the protocol defines → SDK error codes. */
export const WIRE_ERROR_CODES = {
  invalid_command: "INVALID_COMMAND",
  unresolved_upload: "UNRESOLVED_UPLOAD",
  internal_error: "INTERNAL_ERROR",
  [PUBLISH_REFUSED_CODE]: "PUBLISH_REFUSED",
} as const;

type MappedCode = (typeof WIRE_ERROR_CODES)[keyof typeof WIRE_ERROR_CODES];

const WORDING: Record<MappedCode, string> = {
  INVALID_COMMAND: "is invalid",
  UNRESOLVED_UPLOAD: "refers to an upload the GPU could not resolve",
  INTERNAL_ERROR: "failed on the GPU",
  PUBLISH_REFUSED: "was refused",
};

const MODEL_ERROR_BRAND = Symbol.for("@reactor-node/protocol.ModelError");

/** A request the model answered with an error code of its own (code MODEL_ERROR). */
export class ModelError extends ReactorError {
  override readonly name: string = "ModelError";
  /** The model's code, exactly as it sent it (e.g. `"prompt_rejected"`). */
  readonly modelCode: string;
  /** The model's message, as it sent it. */
  readonly modelMessage: string;

  /** True for a ModelError of any copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was asked about, maybe a subclass.
    if (this !== ModelError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return (
      typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MODEL_ERROR_BRAND] === true
    );
  }

  constructor(error: WireError, what: string, options: { operation?: ReactorOperation } = {}) {
    super({
      code: "MODEL_ERROR",
      message: `${what} failed with '${error.code}': ${error.message || "(no reason given)"}`,
      ...(options.operation !== undefined && { operation: options.operation }),
    });
    this.modelCode = error.code;
    this.modelMessage = error.message;
  }
}

// On the prototype, as the other brands of the error family.
Object.defineProperty(ModelError.prototype, MODEL_ERROR_BRAND, { value: true });

/**
 * The ReactorError for an error answer to `what` (e.g. "Command 'set_intensity'"); the peer's
 * reason is kept in the error's message. An error without a code is INTERNAL_ERROR.
 */
export function errorFromWire(
  error: WireError,
  what: string,
  options: { operation?: ReactorOperation } = {},
): ReactorError {
  // hasOwn: a model code such as "constructor" must not find Object.prototype's.
  const code: MappedCode | undefined = !error.code
    ? "INTERNAL_ERROR"
    : Object.hasOwn(WIRE_ERROR_CODES, error.code)
      ? WIRE_ERROR_CODES[error.code as keyof typeof WIRE_ERROR_CODES]
      : undefined;
  if (!code) return new ModelError(error, what, options);
  return reactorError(code, `${what} ${WORDING[code]}: ${error.message || "(no reason given)"}`, options);
}
