/**
 * Opt-in automatic reconnect: after a recoverable drop, retry `reconnect()` on the delays a
 * {@link ReconnectPolicy} decides (the protocol's `defaultReconnectPolicy` by default) until
 * one succeeds, the policy gives up, an error is non-recoverable or the user takes over.
 */
import { isReactorError, type ReactorError, type ReconnectPolicy } from "@reactor-node/protocol";
import { isAbortError, sleep } from "../abort.js";
import type { Logger } from "../logger.js";

/** Runs one outage's retries. */
export class AutoReconnect {
  private controller: AbortController | undefined;

  constructor(
    private readonly policy: ReconnectPolicy,
    /** One reconnect attempt. */
    private readonly attempt: (signal: AbortSignal) => Promise<void>,
    /** The policy gave up (or a non-recoverable error stopped it). */
    private readonly onGiveUp: (error: ReactorError) => void,
    private readonly logger: Logger,
  ) {}

  /** True while retrying. */
  get active(): boolean {
    return this.controller !== undefined;
  }

  /** Begins retrying after `error` (ignored while already retrying). */
  start(error: ReactorError): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.run(error, controller.signal).finally(() => {
      if (this.controller === controller) this.controller = undefined;
    });
  }

  /** Stops retrying (idempotent). */
  cancel(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  private async run(initial: ReactorError, signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    let error = initial;
    for (let attempt = 0; ; attempt++) {
      const delay = this.policy.nextDelayMs({ attempt, elapsedMs: Date.now() - startedAt, error });
      if (delay === null) {
        this.onGiveUp(error);
        return;
      }
      this.logger.info({ attempt, delayMs: delay }, "reconnecting");
      try {
        await sleep(delay, signal);
        await this.attempt(signal);
        return;
      } catch (caught) {
        if (signal.aborted || isAbortError(caught)) return;
        error = isReactorError(caught) ? caught : error;
      }
    }
  }
}
