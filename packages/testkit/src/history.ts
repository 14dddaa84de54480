/**
 * What the fake service saw and said, for assertions (like undici's MockAgent call history).
 * Everything is appended in arrival order; `clear()` empties every list. The history is bounded
 * (entries per list and approximate bytes overall, the oldest dropped first and counted in
 * `dropped`), because a shared `reactor-testkit serve` records whatever its clients send.
 */
import { type ClientMessage, reactorError, type ServerMessage, type WireName } from "@reactor-node/protocol";
import { approxBytes, HISTORY_DEFAULT_MAX_BYTES, HISTORY_DEFAULT_MAX_ENTRIES } from "./bounds.js";
import type { PublishedRecord } from "./gpu/published-record.js";

export type { PublishedRecord } from "./gpu/published-record.js";

/** One HTTP request and the status it was answered with. */
export interface HttpCall {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  status: number;
  /** Request headers, lower-case names (empty for a refused request). */
  headers: Record<string, string>;
  /**
   * Parsed JSON body, the raw text when it was not JSON, or `undefined` without a body, for a
   * refused request, or for a body over 64 KiB (see `bodyBytes`).
   */
  body: unknown;
  /** Size of the request body in bytes, when it was read. */
  bodyBytes?: number;
  /**
   * True when the request was refused before it reached its route's handler (host, origin,
   * unknown route, credentials, versions, size): its headers and body were not kept.
   */
  refused?: boolean;
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
  /** The frame's text (its first 64 KiB when `truncated`), or `null` for a binary frame. */
  text: string | null;
  /** Size of a binary frame in bytes. */
  binaryBytes?: number;
  /** Length of a text frame that was cut (characters). */
  textLength?: number;
  /** True when `text` is only the start of the frame (and `decoded` is `undefined`). */
  truncated?: boolean;
  /** Parsed JSON, or `undefined` when the frame was not JSON (or too deep or large to keep). */
  decoded: unknown;
  /** The frame's encoding by the latching rule (docs/protocol.md §9): text or `{`/`[` bytes = v0. */
  wire?: WireName;
  /**
   * The frame as the protocol's codec decodes it, either wire (`kind: "command"`, `"runtime"`,
   * `"model"`, …; a client's frames as `ClientMessage`, the GPU's as `ServerMessage`), or
   * `undefined` when it does not decode (or was too large to keep).
   */
  message?: ClientMessage | ServerMessage;
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

/** Something the mock did not handle: unknown routes, malformed bodies, undecodable frames (see `onUnhandled`). */
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

/** The lists of a {@link CallHistory}. */
export type HistoryList = "http" | "dataChannel" | "commands" | "unhandled" | "events";
const LISTS: readonly HistoryList[] = ["http", "dataChannel", "commands", "unhandled", "events"];

/** How much a {@link CallHistory} keeps. */
export interface HistoryLimits {
  /** Entries per list (default 10 000). */
  maxEntries?: number;
  /** Approximate bytes over all lists (default 32 MiB). */
  maxBytes?: number;
}

/** The mock's call history. */
export class CallHistory {
  readonly http: HttpCall[] = [];
  readonly dataChannel: DataChannelRecord[] = [];
  readonly commands: CommandRecord[] = [];
  readonly unhandled: UnhandledRecord[] = [];
  readonly events: LifecycleRecord[] = [];
  /** Entries dropped from each list to stay within the limits (oldest first). */
  readonly dropped: Record<HistoryList, number> = { http: 0, dataChannel: 0, commands: 0, unhandled: 0, events: 0 };
  private readonly sizes: Record<HistoryList, number[]> = {
    http: [],
    dataChannel: [],
    commands: [],
    unhandled: [],
    events: [],
  };
  private readonly listBytes: Record<HistoryList, number> = {
    http: 0,
    dataChannel: 0,
    commands: 0,
    unhandled: 0,
    events: 0,
  };
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /**
   * What GPU peers received on published input tracks: one record per publish, updated in place
   * (small and fixed-size, so bounded by count: the oldest past the entry limit is dropped).
   */
  readonly published: PublishedRecord[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly taps = new Set<{
    pushed: (list: HistoryList, record: unknown) => void;
    published: (record: PublishedRecord) => void;
  }>();

  constructor(limits: HistoryLimits = {}) {
    this.maxEntries = Math.max(1, limits.maxEntries ?? HISTORY_DEFAULT_MAX_ENTRIES);
    this.maxBytes = Math.max(1, limits.maxBytes ?? HISTORY_DEFAULT_MAX_BYTES);
  }

  /** Approximate bytes the history holds now. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Empties every list (the `dropped` counters too). */
  clear(): void {
    for (const list of LISTS) {
      this[list].length = 0;
      this.sizes[list].length = 0;
      this.listBytes[list] = 0;
      this.dropped[list] = 0;
    }
    this.published.length = 0;
    this.totalBytes = 0;
  }

  /** @internal replaces the record of the same publish (session, connection, track, start) or appends it. */
  upsertPublished(record: PublishedRecord): void {
    const index = this.published.findIndex(
      (r) =>
        r.sessionId === record.sessionId &&
        r.connectionId === record.connectionId &&
        r.track === record.track &&
        r.startedAt === record.startedAt,
    );
    if (index >= 0) this.published[index] = record;
    else {
      this.published.push(record);
      if (this.published.length > this.maxEntries) this.published.shift();
      for (const t of [...this.taps]) t.published(record);
    }
    for (const w of [...this.waiters]) w.check();
  }

  /** @internal observes every appended record (the mock's lifecycle events); returns the untap. */
  tap(pushed: (list: HistoryList, record: unknown) => void, published: (record: PublishedRecord) => void): () => void {
    const entry = { pushed, published };
    this.taps.add(entry);
    return () => this.taps.delete(entry);
  }

  /** @internal appends (dropping the oldest entries past the limits) and wakes waiters. */
  push<K extends HistoryList>(list: K, record: CallHistory[K][number]): void {
    const size = approxBytes(record, this.maxBytes) + 64;
    (this[list] as unknown[]).push(record);
    this.sizes[list].push(size);
    this.listBytes[list] += size;
    this.totalBytes += size;
    if (this[list].length > this.maxEntries) this.dropOldest(list);
    while (this.totalBytes > this.maxBytes) {
      let largest: HistoryList = list;
      for (const l of LISTS) if (this.listBytes[l] > this.listBytes[largest]) largest = l;
      if (this[largest].length <= 1 && largest === list) break;
      this.dropOldest(largest);
    }
    for (const t of [...this.taps]) t.pushed(list, record);
    for (const w of [...this.waiters]) w.check();
  }

  private dropOldest(list: HistoryList): void {
    this[list].shift();
    const size = this.sizes[list].shift() ?? 0;
    this.listBytes[list] -= size;
    this.totalBytes -= size;
    this.dropped[list]++;
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
