/**
 * What the fake service saw and said, for assertions (like undici's MockAgent call history).
 * Everything is appended in arrival order; `clear()` empties every list.
 */
import { reactorError } from "@reactor-node/protocol";

/** One HTTP request and the status it was answered with. */
export interface HttpCall {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  status: number;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text when it was not JSON, or `undefined` without a body. */
  body: unknown;
  /** The route's name, e.g. `"POST /sessions"`, when one matched. */
  route?: string;
  sessionId?: string;
  /** ms since the Unix epoch. */
  time: number;
}

/** One data-channel frame, either direction. */
export interface DataChannelRecord {
  sessionId: string;
  connectionId: number;
  channel: string;
  /** `in` = client → GPU, `out` = GPU → client. */
  direction: "in" | "out";
  /** The frame's text, or `null` for a binary frame. */
  text: string | null;
  /** Size of a binary frame in bytes. */
  binaryBytes?: number;
  /** Parsed JSON, or `undefined` when the frame was not JSON. */
  decoded: unknown;
  time: number;
}

/** A command as the GPU peer judged it. */
export interface CommandRecord {
  sessionId: string;
  connectionId: number;
  type: string;
  data: unknown;
  uploads?: Record<string, unknown>;
  ok: boolean;
  /** `invalid_command`, `unresolved_upload` or `internal_error` when not ok. */
  code?: string;
  reason?: string;
  time: number;
}

/** Something the strict mock did not accept: unknown routes, malformed bodies, undecodable frames. */
export interface UnhandledRecord {
  kind: "http" | "data-channel";
  detail: string;
  method?: string;
  path?: string;
  status?: number;
  sessionId?: string;
  connectionId?: number;
  time: number;
}

/** A lifecycle event (session state changes, GPU assignment, connection states, faults firing). */
export interface LifecycleRecord {
  type: string;
  sessionId?: string;
  connectionId?: number;
  gpuId?: string;
  detail?: unknown;
  time: number;
}

interface Waiter {
  check(): void;
  cancel(): void;
}

/** The mock's call history. */
export class CallHistory {
  readonly http: HttpCall[] = [];
  readonly dataChannel: DataChannelRecord[] = [];
  readonly commands: CommandRecord[] = [];
  readonly unhandled: UnhandledRecord[] = [];
  readonly events: LifecycleRecord[] = [];
  private readonly waiters = new Set<Waiter>();

  /** Empties every list. */
  clear(): void {
    this.http.length = 0;
    this.dataChannel.length = 0;
    this.commands.length = 0;
    this.unhandled.length = 0;
    this.events.length = 0;
  }

  /** @internal appends and wakes waiters. */
  push<K extends "http" | "dataChannel" | "commands" | "unhandled" | "events">(
    list: K,
    record: CallHistory[K][number],
  ): void {
    (this[list] as unknown[]).push(record);
    for (const w of [...this.waiters]) w.check();
  }

  /**
   * Resolves with the first value `probe` returns that is not `undefined`/`false`, re-checking
   * on every new record; rejects with a TIMEOUT ReactorError after `timeoutMs` (default 10 s).
   */
  waitFor<T>(probe: (h: CallHistory) => T | undefined | false, options: { timeoutMs?: number } = {}): Promise<T> {
    const first = probe(this);
    if (first !== undefined && first !== false) return Promise.resolve(first);
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const v = probe(this);
          if (v === undefined || v === false) return;
          done();
          resolve(v);
        },
        cancel: () => {
          done();
          reject(reactorError("ABORTED", "history.waitFor: the mock closed"));
        },
      };
      const timer = setTimeout(() => {
        done();
        reject(reactorError("TIMEOUT", `history.waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** @internal rejects pending `waitFor` calls (ABORTED) and clears their timers. */
  dispose(): void {
    for (const w of [...this.waiters]) w.cancel();
  }
}
