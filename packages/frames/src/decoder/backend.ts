import { reactorError } from "@reactor-node/protocol";

/** Which decoder runs in the worker: libav.js WASM (default, no native deps) or `node-av` (FFmpeg). */
export type DecoderBackend = "wasm" | "native";

/** Environment variable that selects the backend when the option is not given: `wasm`, `native` or `auto`. */
export const DECODER_ENV_VAR = "REACTOR_FRAMES_DECODER";

/** The optional npm package the native backend would use. */
export const NATIVE_DECODER_PACKAGE = "node-av";

/** Whether this version ships the native backend (it does not yet; selection logic is in place). */
export const NATIVE_BACKEND_IMPLEMENTED = false;

/** Inputs of {@link resolveDecoderBackend}; all injectable so the rule is table-testable. */
export interface DecoderBackendChoice {
  /** The `decoder` option; wins over the environment. */
  requested?: string | undefined;
  /** The value of {@link DECODER_ENV_VAR}. */
  env?: string | undefined;
  /** Whether `node-av` can be resolved. */
  nativeInstalled: boolean;
  /** Whether the native backend is implemented (defaults to {@link NATIVE_BACKEND_IMPLEMENTED}). */
  nativeImplemented?: boolean;
}

/**
 * Picks the decoder backend. An explicit `native` (option or env) never falls back silently: it
 * throws INVALID_ARGUMENT when `node-av` is missing or the backend is unavailable. `auto` (or
 * nothing) picks native only when it is installed and implemented, else wasm.
 */
export function resolveDecoderBackend(choice: DecoderBackendChoice): DecoderBackend {
  const implemented = choice.nativeImplemented ?? NATIVE_BACKEND_IMPLEMENTED;
  const raw = choice.requested ?? (choice.env === "" ? undefined : choice.env);
  const source = choice.requested !== undefined ? "the decoder option" : `${DECODER_ENV_VAR}`;
  if (raw === undefined || raw === "auto") return choice.nativeInstalled && implemented ? "native" : "wasm";
  if (raw === "wasm") return "wasm";
  if (raw === "native") {
    if (!choice.nativeInstalled) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `The native decoder was requested by ${source} but "${NATIVE_DECODER_PACKAGE}" cannot be imported; ` +
          `install it (npm i ${NATIVE_DECODER_PACKAGE}) or use decoder "wasm"`,
      );
    }
    if (!implemented) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `The native decoder was requested by ${source} but is not available yet in @reactor-node/frames; ` +
          `use decoder "wasm"`,
      );
    }
    return "native";
  }
  throw reactorError("INVALID_ARGUMENT", `Unknown decoder "${raw}" from ${source}; expected wasm, native or auto`);
}

/** True when `node-av` resolves from this package (resolution only; nothing is loaded). */
export function isNativeDecoderInstalled(): boolean {
  try {
    import.meta.resolve(NATIVE_DECODER_PACKAGE);
    return true;
  } catch {
    return false;
  }
}
