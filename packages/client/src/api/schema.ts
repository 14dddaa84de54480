/**
 * The model schema (docs/protocol.md §5): the client asks for it on every transition to ready
 * (`requestSchema`) and the model answers `modelSchema`. `connect()` waits for that answer, up to
 * {@link CONNECT_SCHEMA_WAIT_MS}, so `getSchema()` is set once it resolves; a model that never
 * answers leaves it undefined and is logged, and the connect still succeeds. `requestSchema()`
 * asks again and resolves with the next schema to arrive. On both wires the answer arrives as a
 * `modelSchema` runtime message; on v1 the request is also correlated by id, so a refusal
 * rejects the call instead of running into the timeout.
 */
import { type ModelSchemaDocument, type ReactorError, reactorError } from "@reactor-node/protocol";
import { raceAbort, throwIfAborted } from "../abort.js";
import type { Logger } from "../logger.js";

/** How long `connect()` waits for the model schema once the transport is ready (our choice). */
export const CONNECT_SCHEMA_WAIT_MS = 5_000;
/** `requestSchema()` fails with TIMEOUT after this long without an answer (the protocol's request timeout, §9). */
export const SCHEMA_REQUEST_TIMEOUT_MS = 10_000;

/** What the schema waits need. */
export interface SchemaHost {
  /** The schema received on this session, if any. */
  current(): ModelSchemaDocument | undefined;
  /**
   * Sends `requestSchema` on the current connection; throws a typed error when it cannot, and
   * the promise rejects with the peer's refusal (v1) or when the connection closes first.
   */
  send(signal: AbortSignal | undefined): Promise<unknown>;
  logger: Logger;
}

interface Waiter {
  resolve(schema: ModelSchemaDocument): void;
  reject(error: ReactorError): void;
}

/** See the file comment. */
export class SchemaWaits {
  private waiters = new Set<Waiter>();

  constructor(private readonly host: SchemaHost) {}

  /** A `modelSchema` message arrived. */
  received(schema: ModelSchemaDocument): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w.resolve(schema);
  }

  /** Fails every pending wait (the connection is gone: NOT_READY). */
  cancel(error: ReactorError): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w.reject(error);
  }

  /**
   * connect()'s gate: resolves once a schema is known, after {@link CONNECT_SCHEMA_WAIT_MS}
   * (logged), or when the connection closes meanwhile (the drop is reported on its own). Rejects
   * only when aborted.
   */
  async afterReady(signal: AbortSignal): Promise<void> {
    if (this.host.current()) return;
    try {
      await this.next(CONNECT_SCHEMA_WAIT_MS, signal).promise;
    } catch (error) {
      const code = (error as ReactorError).code;
      if (code === "NOT_READY") return;
      if (code !== "TIMEOUT") throw error;
      this.host.logger.warn(
        { waitedMs: CONNECT_SCHEMA_WAIT_MS },
        "the model did not send its schema; connected without it (getSchema() is undefined, requestSchema() asks again)",
      );
    }
  }

  /** Asks again and resolves with the schema the model sends. */
  async request(signal?: AbortSignal): Promise<ModelSchemaDocument> {
    throwIfAborted(signal, "requestSchema()");
    // The answer comes over the network, so waiting from right after the send misses nothing.
    const sent = this.host.send(signal);
    const next = this.next(SCHEMA_REQUEST_TIMEOUT_MS, signal);
    sent.catch((error: ReactorError) => next.waiter.reject(error));
    return next.promise;
  }

  private next(
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): { promise: Promise<ModelSchemaDocument>; waiter: Waiter } {
    let timer: NodeJS.Timeout | undefined;
    const waiter = {} as Waiter;
    const wait = new Promise<ModelSchemaDocument>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
      this.waiters.add(waiter);
      timer = setTimeout(
        () => reject(reactorError("TIMEOUT", `The model did not send its schema within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }).finally(() => {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    });
    return { promise: raceAbort(wait, signal, "Waiting for the model schema"), waiter };
  }
}
