/**
 * The mock's lifecycle as typed events, for tests that wait on them instead of polling
 * (`await mock.events.waitFor("connection:opened")`). Every event is derived in one place from
 * what the call history records, so events and history always agree; they are emitted whatever
 * the history's limits keep. Listeners are snapshotted before dispatch, and a listener that
 * throws is logged, never breaks the mock.
 */
import { reactorError } from "@reactor-node/protocol";
import type { FaultSpec } from "./faults/spec.js";
import type {
  CallHistory,
  CommandRecord,
  DataChannelRecord,
  HistoryList,
  HttpCall,
  LifecycleRecord,
  PublishedRecord,
  UnhandledRecord,
} from "./history.js";
import type { Logger } from "./logger.js";

/** Every event of {@link MockEvents} and what it carries. */
export interface MockEventMap {
  /** An HTTP request was answered. */
  request: HttpCall;
  "session:created": { sessionId: string };
  /** Any state change (`CREATED`, `PENDING`, `WAITING`, `ACTIVE`, `INACTIVE`, `CLOSED`). */
  "session:state": { sessionId: string; state: string };
  "session:closed": { sessionId: string };
  "gpu:joined": { gpuId: string };
  "gpu:left": { gpuId: string };
  "gpu:assigned": { sessionId: string; gpuId: string };
  "gpu:released": { sessionId: string; gpuId: string };
  /** Something a GPU peer reported (`idle_timeout`, `pli`, `gpu_drop`, `file_uploaded`, `fuzz_sent`, …). */
  "gpu:event": { name: string; sessionId?: string; connectionId?: number; gpuId?: string; detail?: unknown };
  "connection:registered": { sessionId: string; connectionId: number };
  /** A client's peer connection reached `connected` on the GPU. */
  "connection:opened": { sessionId: string; connectionId: number };
  "connection:closed": { sessionId: string; connectionId: number; state: string };
  /** A command as the GPU judged it. */
  command: CommandRecord;
  /** A data-channel frame, either direction. */
  "data-channel": DataChannelRecord;
  /** Something the mock did not handle (when the strategy records it). */
  unhandled: UnhandledRecord;
  /** An injected fault fired (`http-status`). */
  fault: { sessionId?: string; spec: FaultSpec };
  /** A publish started on an input track (the first record of it). */
  "track:published": PublishedRecord;
}

/** A {@link MockEventMap} key. */
export type MockEventName = keyof MockEventMap;

type Listener<K extends MockEventName> = (payload: MockEventMap[K]) => void;

/** Lifecycle record types that are neither session states nor connection changes. */
const SIMPLE: Record<string, (r: LifecycleRecord) => [MockEventName, unknown] | undefined> = {
  gpu_joined: (r) => ["gpu:joined", { gpuId: r.gpuId ?? "" }],
  gpu_left: (r) => ["gpu:left", { gpuId: r.gpuId ?? "" }],
  gpu_assigned: (r) => ["gpu:assigned", { sessionId: r.sessionId ?? "", gpuId: String(r.detail ?? "") }],
  gpu_released: (r) => ["gpu:released", { sessionId: r.sessionId ?? "", gpuId: r.gpuId ?? "" }],
  connection_registered: (r) => [
    "connection:registered",
    { sessionId: r.sessionId ?? "", connectionId: Number(r.detail) },
  ],
  fault: (r) => [
    "fault",
    { ...(r.sessionId !== undefined && { sessionId: r.sessionId }), spec: r.detail as FaultSpec },
  ],
};

/** The events one lifecycle record stands for. */
function fromLifecycle(r: LifecycleRecord): Array<[MockEventName, unknown]> {
  if (r.type === "state" && r.sessionId !== undefined) {
    const state = String(r.detail);
    const events: Array<[MockEventName, unknown]> = [["session:state", { sessionId: r.sessionId, state }]];
    if (state === "CREATED") events.unshift(["session:created", { sessionId: r.sessionId }]);
    if (state === "CLOSED") events.push(["session:closed", { sessionId: r.sessionId }]);
    return events;
  }
  if (r.type === "connection_state" && r.sessionId !== undefined) {
    const { connectionId, state } = r.detail as { connectionId: number; state: string };
    if (state === "connected") return [["connection:opened", { sessionId: r.sessionId, connectionId }]];
    if (state === "closed" || state === "failed") {
      return [["connection:closed", { sessionId: r.sessionId, connectionId, state }]];
    }
    return [];
  }
  const simple = SIMPLE[r.type]?.(r);
  if (simple) return [simple];
  if (r.gpuId !== undefined || r.connectionId !== undefined) {
    return [
      [
        "gpu:event",
        {
          name: r.type,
          ...(r.sessionId !== undefined && { sessionId: r.sessionId }),
          ...(r.connectionId !== undefined && { connectionId: r.connectionId }),
          ...(r.gpuId !== undefined && { gpuId: r.gpuId }),
          ...(r.detail !== undefined && { detail: r.detail }),
        },
      ],
    ];
  }
  return [];
}

const FROM_LIST: Record<HistoryList, (record: never) => Array<[MockEventName, unknown]>> = {
  http: (r: HttpCall) => [["request", r]],
  dataChannel: (r: DataChannelRecord) => [["data-channel", r]],
  commands: (r: CommandRecord) => [["command", r]],
  unhandled: (r: UnhandledRecord) => [["unhandled", r]],
  events: fromLifecycle,
};

/** Options of {@link MockEvents.waitFor}. */
export interface WaitForOptions {
  /** Reject with TIMEOUT after this long (default 10 s). */
  timeoutMs?: number;
  /** Reject with ABORTED (cause: the reason) when it aborts. */
  signal?: AbortSignal;
}

/** Typed lifecycle events of a mock (`mock.events`). */
export class MockEvents {
  private readonly listeners = new Map<MockEventName, Set<Listener<never>>>();
  private readonly cancels = new Set<(error: Error) => void>();
  private readonly untap: () => void;

  constructor(
    history: CallHistory,
    private readonly logger: Logger,
  ) {
    this.untap = history.tap(
      (list, record) => {
        for (const [name, payload] of FROM_LIST[list](record as never)) this.emit(name, payload as never);
      },
      (record) => this.emit("track:published", record),
    );
  }

  /** Calls `listener` for every `event` from now on; returns the unsubscribe function. */
  on<K extends MockEventName>(event: K, listener: (payload: MockEventMap[K]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /**
   * Resolves with the next `event` whose payload passes `predicate` (every one without it).
   * Rejects with a TIMEOUT ReactorError after `timeoutMs` (default 10 s), ABORTED on `signal`
   * or when the mock closes.
   */
  waitFor<K extends MockEventName>(
    event: K,
    predicate: (payload: MockEventMap[K]) => boolean = () => true,
    options: WaitForOptions = {},
  ): Promise<MockEventMap[K]> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(reactorError("ABORTED", `waitFor('${event}') was aborted`, { cause: options.signal.reason }));
        return;
      }
      const finish = () => {
        off();
        clearTimeout(timer);
        this.cancels.delete(cancel);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const off = this.on(event, (payload) => {
        let matched = false;
        try {
          matched = predicate(payload);
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (!matched) return;
        finish();
        resolve(payload);
      });
      const timer = setTimeout(() => {
        finish();
        reject(reactorError("TIMEOUT", `waitFor('${event}'): no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const cancel = (error: Error) => {
        finish();
        reject(error);
      };
      const onAbort = () =>
        cancel(reactorError("ABORTED", `waitFor('${event}') was aborted`, { cause: options.signal?.reason }));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.cancels.add(cancel);
    });
  }

  private emit<K extends MockEventName>(event: K, payload: MockEventMap[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<K>)(payload);
      } catch (error) {
        this.logger.error({ err: error, event }, "a mock event listener threw");
      }
    }
  }

  /** @internal stops emitting and rejects pending `waitFor` calls (ABORTED). */
  close(): void {
    this.untap();
    for (const cancel of [...this.cancels]) cancel(reactorError("ABORTED", "mock.events.waitFor: the mock closed"));
    this.listeners.clear();
  }
}
