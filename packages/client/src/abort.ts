/**
 * Cancellation primitives: abortable sleeps and the mapping from an aborted signal to the
 * SDK's ABORTED error. Timers are always cleared on abort so nothing dangles.
 */
import { abortError, isReactorError, type ReactorError, TIMER_MAX_DELAY_MS } from "@reactor-node/protocol";

/** Throws the SDK's abort error if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * Resolves after `ms` (at most {@link TIMER_MAX_DELAY_MS}), or rejects with an ABORTED error
 * naming `what` as soon as `signal` aborts (clearing the timer).
 */
export function sleep(ms: number, signal?: AbortSignal, what = "Wait"): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, what));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal, what));
    };
    // Node fires a delay of 2^31 ms or more after 1 ms: never hand it one.
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(Math.max(0, ms), TIMER_MAX_DELAY_MS),
    );
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

/**
 * Races `promise` against a `ms` deadline: rejects with `onTimeout()` when the deadline comes
 * first (the timer is cleared either way). Like {@link raceAbort}, it only stops the waiting.
 */
export function raceDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => ReactorError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        promise.catch(() => {});
        reject(onTimeout());
      },
      Math.min(Math.max(0, ms), TIMER_MAX_DELAY_MS),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** True for the SDK's abort error. */
export function isAbortError(error: unknown): error is ReactorError {
  return isReactorError(error) && error.code === "ABORTED";
}
