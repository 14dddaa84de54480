import { isReactorError } from "@reactor-node/protocol";

/** Exit codes, stable for scripts. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  AUTH: 3,
  VERSION_MISMATCH: 4,
  NO_GPU: 5,
} as const;

/** Maps an error to the exit code a script can branch on, from its code (errors keep their code up to here). */
export function exitCodeFor(error: unknown): number {
  switch (isReactorError(error) ? error.code : undefined) {
    case "UNAUTHORIZED":
      return EXIT.AUTH;
    case "VERSION_MISMATCH":
      return EXIT.VERSION_MISMATCH;
    case "TIMEOUT":
    case "SESSION_TERMINAL":
      return EXIT.NO_GPU;
    default:
      return EXIT.FAILED;
  }
}

/** One readable line for an error: `[component:CODE] message` for the SDK's errors. */
export function describeError(error: unknown): string {
  if (isReactorError(error)) return String(error);
  return error instanceof Error ? error.message : String(error);
}
