import { createRequire } from "node:module";
import { reactorError } from "@reactor-node/protocol";

/** Which decoder runs in the worker: libav.js WASM (default, no native deps) or `node-av` (FFmpeg). */
export type DecoderBackend = "wasm" | "native";

/** Environment variable that selects the backend when the option is not given: `wasm`, `native` or `auto`. */
export const DECODER_ENV_VAR = "REACTOR_FRAMES_DECODER";

/** The optional npm package the native backend uses (install it to opt in; it is not a dependency). */
export const NATIVE_DECODER_PACKAGE = "node-av";

/** Inputs of {@link resolveDecoderBackend}; all injectable so the rule is table-testable. */
export interface DecoderBackendChoice {
  /** The `decoder` option; wins over the environment. */
  requested?: string | undefined;
  /** The value of {@link DECODER_ENV_VAR}. */
  env?: string | undefined;
  /** Whether `node-av` can be resolved. */
  nativeInstalled: boolean;
  /** What is being chosen, for messages (default the decoder; the encoder uses the same rule). */
  role?: "decoder" | "encoder";
  /** The environment variable named in messages (default {@link DECODER_ENV_VAR}). */
  envVar?: string;
}

/**
 * Picks the decoder backend. An explicit `native` (option or env) never falls back silently: it
 * throws INVALID_ARGUMENT when `node-av` is missing. `auto` picks native when it is installed,
 * else wasm. Nothing asked means wasm: native is
 * opt-in, because a native addon fault in a worker takes the whole process down, where a WASM
 * fault is a catchable worker crash.
 */
export function resolveDecoderBackend(choice: DecoderBackendChoice): DecoderBackend {
  const raw = choice.requested ?? (choice.env === "" ? undefined : choice.env);
  const role = choice.role ?? "decoder";
  const source = choice.requested !== undefined ? `the ${role} option` : `${choice.envVar ?? DECODER_ENV_VAR}`;
  if (raw === undefined) return "wasm";
  if (raw === "auto") return choice.nativeInstalled ? "native" : "wasm";
  if (raw === "wasm") return "wasm";
  if (raw === "native") {
    if (!choice.nativeInstalled) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `The native ${role} was requested by ${source} but "${NATIVE_DECODER_PACKAGE}" cannot be imported; ` +
          `install it (npm i ${NATIVE_DECODER_PACKAGE}) or use ${role} "wasm"`,
      );
    }
    return "native";
  }
  throw reactorError("INVALID_ARGUMENT", `Unknown ${role} "${raw}" from ${source}; expected wasm, native or auto`);
}

/**
 * node-av's prebuilt FFmpeg binding for this platform: an optional dependency of node-av, so a
 * `--no-optional` install or an unsupported platform has node-av without it (node-av's own loader
 * tries the same names; on Windows a MinGW and an MSVC build exist).
 */
function nativeBindingPackages(): string[] {
  const base = `@seydx/node-av-${process.platform}-${process.arch}`;
  return process.platform === "win32" ? [`${base}-mingw`, `${base}-msvc`] : [base];
}

/**
 * True when `node-av` and its prebuilt binding for this platform resolve from this package.
 * Resolution only: nothing is loaded (the binding is loaded in the decoder worker).
 */
export function isNativeDecoderInstalled(): boolean {
  try {
    const nodeAv = import.meta.resolve(NATIVE_DECODER_PACKAGE);
    const fromNodeAv = createRequire(nodeAv);
    return nativeBindingPackages().some((name) => {
      try {
        fromNodeAv.resolve(`${name}/package.json`);
        return true;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
