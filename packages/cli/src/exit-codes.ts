import { isReactorError, type ReactorError } from "@reactor-node/protocol";

/** Exit codes, stable for scripts. */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  AUTH: 3,
  VERSION_MISMATCH: 4,
  NO_GPU: 5,
} as const;

/** The innermost ReactorError in a cause chain (CONNECTION_FAILED wraps what really happened). */
export function rootReactorError(error: unknown): ReactorError | undefined {
  let found: ReactorError | undefined;
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (isReactorError(e)) found = e;
  }
  return found;
}

/** Maps an error to the exit code a script can branch on. */
export function exitCodeFor(error: unknown): number {
  const root = rootReactorError(error);
  switch (root?.code) {
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

/** One readable line for an error: the outer message, and the root cause when it adds something. */
export function describeError(error: unknown): string {
  const root = rootReactorError(error);
  const outer = isReactorError(error) ? String(error) : error instanceof Error ? error.message : String(error);
  if (root && root !== error) return `${outer}: ${root}`;
  return outer;
}
