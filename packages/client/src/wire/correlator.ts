/**
 * Matches answers to requests (docs/protocol.md §5, §9, §10): by id (`data_<n>` for v1
 * commands, `ctrl_<n>` for control requests) or, where a wire has no ids (v0 clip requests), in
 * order. Every waiting request times out after {@link REQUEST_TIMEOUT_MS}, can be aborted with
 * a signal, and is rejected when the connection closes ({@link RequestCorrelator.reset}).
 *
 * The correlator knows request *kinds*, not wires: the codec says, per kind, whether its answers
 * carry the id ("id"), come in order ("fifo") or never come ("none").
 */
import {
  abortError,
  type Correlation,
  controlRequestId,
  dataRequestId,
  errorFromWire,
  inOperation,
  REQUEST_TIMEOUT_MS,
  type ReactorError,
  type ReactorOperation,
  type RequestKind,
  reactorError,
  type ServerMessage,
} from "@reactor-node/protocol";

/** How a request is described in errors and what operation it belongs to. */
export interface RequestOptions {
  /** Names the request in errors, e.g. "Command 'set_effect'". */
  what: string;
  operation: ReactorOperation;
  signal?: AbortSignal;
  /** Default {@link REQUEST_TIMEOUT_MS}. */
  timeoutMs?: number;
}

interface Pending {
  kind: RequestKind;
  /**
   * An in-order request that timed out or was aborted: it keeps its place so that its late
   * answer is consumed by it (and delivered only as an ordinary event) instead of being taken
   * for the answer to the next request of its kind.
   */
  abandoned?: boolean;
  options: RequestOptions;
  resolve(message: ServerMessage): void;
  reject(error: ReactorError): void;
  /** Stops the timer; `abandon` keeps an in-order request's place for its late answer. */
  done(abandon?: boolean): void;
}

/** In-order places kept for requests that timed out or were aborted (see `Pending.abandoned`). */
const MAX_ABANDONED_IN_ORDER = 32;

/** What {@link RequestCorrelator.settle} did with an inbound message. */
export type Settled =
  /** It answered a waiting request with a message that is also an ordinary event. */
  | "answered"
  /** It was a correlated error: delivered to the waiting call only. */
  | "rejected"
  /** Nobody waits for it. */
  | "unmatched";

/** Pending requests of one connection. */
export class RequestCorrelator {
  private readonly byId = new Map<string, Pending>();
  private readonly inOrder = new Map<RequestKind, Pending[]>();
  private commandCount = 0;
  private controlCount = 0;

  /** The id the next request of `kind` carries under `correlation` (`undefined` when the wire uses none). */
  nextId(kind: RequestKind, correlation: Correlation): string | undefined {
    if (correlation !== "id") return undefined;
    return kind === "command" ? dataRequestId(++this.commandCount) : controlRequestId(++this.controlCount);
  }

  /**
   * Waits for the answer to a request that was just sent: the message with `requestId`, or the
   * next in-order answer of `kind` when there is no id. Rejects with the peer's error (as
   * {@link errorFromWire} maps it), TIMEOUT, ABORTED, or the error {@link reset} is given.
   */
  wait(kind: RequestKind, requestId: string | undefined, options: RequestOptions): Promise<ServerMessage> {
    const { signal, what, operation } = options;
    if (signal?.aborted) return Promise.reject(inOperation(abortError(signal, what), operation));
    return new Promise<ServerMessage>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        pending.done(true);
        reject(reactorError("TIMEOUT", `${what} got no answer within ${timeoutMs} ms`, { operation }));
      }, timeoutMs);
      const onAbort = (): void => {
        pending.done(true);
        reject(inOperation(abortError(signal, what), operation));
      };
      const pending: Pending = {
        kind,
        options,
        resolve,
        reject,
        done: (abandon = false) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (requestId !== undefined) {
            if (this.byId.get(requestId) === pending) this.byId.delete(requestId);
            return;
          }
          const queue = this.inOrder.get(kind);
          if (!queue) return;
          if (abandon) {
            pending.abandoned = true;
            // A peer that never answers must not grow the queue without bound: past the cap the
            // oldest abandoned places go (in-order matching is lost for them either way).
            while (queue.filter((p) => p.abandoned).length > MAX_ABANDONED_IN_ORDER) {
              queue.splice(
                queue.findIndex((p) => p.abandoned),
                1,
              );
            }
            return;
          }
          const at = queue.indexOf(pending);
          if (at >= 0) queue.splice(at, 1);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (requestId !== undefined) this.byId.set(requestId, pending);
      else {
        const queue = this.inOrder.get(kind) ?? [];
        queue.push(pending);
        this.inOrder.set(kind, queue);
      }
    });
  }

  /**
   * Offers an inbound message to the waiting requests. `fifoKind` is the kind an id-less answer
   * belongs to on this wire (the codec's `fifoAnswer`).
   */
  settle(message: ServerMessage, fifoKind: RequestKind | undefined): Settled {
    const requestId = "requestId" in message ? message.requestId : undefined;
    let pending: Pending | undefined;
    if (requestId !== undefined) pending = this.byId.get(requestId);
    else if (fifoKind !== undefined) pending = this.inOrder.get(fifoKind)?.[0];
    if (!pending) return "unmatched";
    if (pending.abandoned) {
      this.inOrder.get(pending.kind)?.shift();
      return "unmatched";
    }
    pending.done();
    if (message.kind === "response" && message.error) {
      const { what, operation } = pending.options;
      pending.reject(errorFromWire(message.error, what, { operation }));
      return "rejected";
    }
    pending.resolve(message);
    return "answered";
  }

  /** Number of waiting requests. */
  get size(): number {
    let n = this.byId.size;
    for (const queue of this.inOrder.values()) n += queue.filter((p) => !p.abandoned).length;
    return n;
  }

  /** Rejects every waiting request with `error(what)` and restarts the ids (a new connection counts from 1). */
  reset(error: (what: string, operation: ReactorOperation) => ReactorError): void {
    const all = [...this.byId.values(), ...[...this.inOrder.values()].flat()];
    this.byId.clear();
    this.inOrder.clear();
    this.commandCount = 0;
    this.controlCount = 0;
    for (const pending of all) {
      if (pending.abandoned) continue;
      pending.done();
      pending.reject(error(pending.options.what, pending.options.operation));
    }
  }
}
