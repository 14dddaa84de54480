/**
 * Cancellation primitives: abortable sleeps and the mapping from an aborted signal to the
 * SDK's ABORTED error. Timers are always cleared on abort so nothing dangles.
 */
import { abortError, isReactorError, type ReactorError } from "@reactor-node/protocol";

/** Throws the SDK's abort error if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/** Resolves after `ms`, or rejects with an ABORTED error as soon as `signal` aborts (clearing the timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, "Wait"));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal, "Wait"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Races `promise` against `signal`: rejects with ABORTED when the signal fires first. The
 * underlying work must be cancelled by its owner; this only stops waiting for it.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what?: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => {});
      reject(abortError(signal, what));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** True for the SDK's abort error. */
export function isAbortError(error: unknown): error is ReactorError {
  return isReactorError(error) && error.code === "ABORTED";
}
