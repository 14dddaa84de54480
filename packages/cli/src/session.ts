import { Reactor } from "@reactor-node/client";
import type { Target } from "./args.js";
import { requireApiKey, requireModel } from "./args.js";
import { EXIT } from "./exit-codes.js";
import { CliError } from "./io.js";

/** How far past `--timeout` the client's own connect deadline is set. */
const CONNECT_DEADLINE_MARGIN_MS = 5_000;

/**
 * Connects a Reactor for a CLI command, turning "still not ready after --timeout" into the
 * no-GPU exit code instead of a bare abort.
 */
export async function connectForCli(
  target: Target,
  timeoutS: number,
  onStatus?: (status: string) => void,
): Promise<Reactor> {
  const modelName = requireModel(target);
  const reactor = new Reactor({
    modelName,
    apiUrl: target.apiUrl,
    // `--timeout` is the CLI's own signal below (it reports the status reached); the client's
    // deadline only backs it up, so it must not fire first.
    connectTimeoutMs: timeoutS * 1000 + CONNECT_DEADLINE_MARGIN_MS,
    ...(target.local ? { local: true } : { apiKey: requireApiKey(target) }),
  });
  const timeout = AbortSignal.timeout(timeoutS * 1000);
  // The status reached before the timeout, not the `disconnected` the abort unwinds to.
  let statusAtTimeout: string = reactor.getStatus();
  reactor.on("status_changed", (status) => {
    if (timeout.aborted) return;
    statusAtTimeout = status;
    onStatus?.(status);
  });
  try {
    await reactor.connect({ signal: timeout });
    return reactor;
  } catch (error) {
    await reactor.disconnect().catch(() => {});
    if (timeout.aborted) {
      throw new CliError(
        `no GPU became ready for model '${modelName}' within ${timeoutS} s (last status: ${statusAtTimeout})`,
        EXIT.NO_GPU,
      );
    }
    throw error;
  }
}

/** Resolves with the first event payload matching `predicate`, or undefined after `timeoutMs`. */
export function waitFor<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  predicate: (value: T) => boolean,
  timeoutMs: number,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, timeoutMs);
    const off = subscribe((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}
