import { isNativeDecoderInstalled, resolveDecoderBackend } from "../decoder/backend.js";
import type { EncoderBackend } from "./worker-api.js";

/** Environment variable that selects the encoder backend when the option is not given: `wasm`, `native` or `auto`. */
export const ENCODER_ENV_VAR = "REACTOR_FRAMES_ENCODER";

/**
 * Picks the VP8 encoder backend by the decoder's rule (wasm unless asked; an explicit `native`
 * without node-av is INVALID_ARGUMENT; `auto` takes native when node-av is installed).
 */
export function resolveEncoderBackend(
  requested: string | undefined,
  env: string | undefined = process.env[ENCODER_ENV_VAR],
): EncoderBackend {
  return resolveDecoderBackend({
    requested,
    env,
    nativeInstalled: isNativeDecoderInstalled(),
    role: "encoder",
    envVar: ENCODER_ENV_VAR,
  });
}
