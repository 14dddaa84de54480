/**
 * `connect()` and `reconnect()` as operations. Each runs under an operation generation: a newer
 * operation (or `disconnect()`) bumps it and aborts the old one, whose late results are then
 * stale (`isCurrent()` is false) and leave the session alone. An overall deadline ends any
 * operation whatever the server says (Retry-After, a GPU queue). A failure is typed once here
 * (TIMEOUT past the deadline, ABORTED, otherwise its own code through {@link connectFailure})
 * and handed to the host only while its operation is still current.
 */
import { isReactorError, type ReactorError, reactorError, TIMER_MAX_DELAY_MS } from "@reactor-node/protocol";
import { type ConnectKind, connectFailure } from "../errors.js";

/** What a connect/reconnect body gets from the state machine. */
export interface OperationContext {
  /** Which call this is (it names the errors the body reports). */
  kind: ConnectKind;
  /** Aborted by `disconnect()`, a newer operation or the caller's signal. */
  signal: AbortSignal;
  /** False once a newer operation (or `disconnect()`) took over: stale results must be dropped. */
  isCurrent(): boolean;
}

/** What the runner tells the session. */
export interface OperationHost {
  /** The overall deadline of one operation. */
  timeoutMs: number;
  /** An operation is starting (the connect timer begins). */
  began(): void;
  /** The current operation failed with `error` (already typed): clean up and report it. */
  failed(kind: ConnectKind, error: ReactorError): Promise<void>;
}

interface Running {
  generation: number;
  controller: AbortController;
  done: Promise<void>;
}

/** See the file comment. */
export class OperationRunner {
  private generation = 0;
  private current: Running | undefined;

  constructor(private readonly host: OperationHost) {}

  /** The running operation's completion, if one is running. */
  get running(): Promise<void> | undefined {
    return this.current?.done;
  }

  /** Runs `body` as the current operation, superseding (and first awaiting) the previous one. */
  async run(
    kind: ConnectKind,
    signal: AbortSignal | undefined,
    body: (op: OperationContext) => Promise<void>,
  ): Promise<void> {
    if (signal?.aborted) {
      throw reactorError("ABORTED", `${kind}() was aborted`, { cause: signal.reason, operation: kind });
    }
    // Take over first, so the superseded operation sees itself stale and leaves the state alone.
    const generation = ++this.generation;
    const previous = this.current;
    if (previous) {
      previous.controller.abort(reactorError("ABORTED", `superseded by ${kind}()`));
      await previous.done.catch(() => {});
      if (generation !== this.generation) {
        throw reactorError("ABORTED", `${kind}() was superseded`, { operation: kind });
      }
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const op: OperationContext = {
      kind,
      signal: controller.signal,
      isCurrent: () => generation === this.generation,
    };
    const { timeoutMs } = this.host;
    let timedOut = false;
    const deadline = setTimeout(
      () => {
        timedOut = true;
        controller.abort(reactorError("ABORTED", `${kind}() ran out of time`));
      },
      Math.min(timeoutMs, TIMER_MAX_DELAY_MS),
    );
    this.host.began();
    const done = (async () => {
      try {
        await body(op);
      } catch (error) {
        const typed = timedOut
          ? reactorError("TIMEOUT", `${kind}() did not finish within ${timeoutMs} ms`, {
              cause: error,
              operation: kind,
            })
          : connectFailure(
              controller.signal.aborted && !isReactorError(error)
                ? reactorError("ABORTED", `${kind}() was aborted`)
                : error,
              kind,
            );
        if (op.isCurrent()) await this.host.failed(kind, typed);
        throw typed;
      } finally {
        clearTimeout(deadline);
        signal?.removeEventListener("abort", onAbort);
        if (this.current?.generation === generation) this.current = undefined;
      }
    })();
    this.current = { generation, controller, done };
    return done;
  }

  /** Makes every running operation stale, aborts it with ABORTED (`reason`) and waits for it to settle. */
  async cancel(reason: string): Promise<void> {
    this.generation++;
    const pending = this.current;
    this.current = undefined;
    if (pending) {
      pending.controller.abort(reactorError("ABORTED", reason));
      await pending.done.catch(() => {});
    }
  }
}
