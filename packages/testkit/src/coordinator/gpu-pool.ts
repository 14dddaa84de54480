/**
 * The coordinator's side of the GPU link: every GPU peer that dialled `/_testkit/gpu`, whether
 * it is free, and typed sends. Frames that fail the link schema are logged and dropped.
 */
import type { WebSocket } from "ws";
import {
  type CoordinatorMessage,
  GPU_LINK_VERSION,
  type GpuMessage,
  GpuMessageSchema,
  parseLinkFrame,
} from "../gpu/link.js";
import type { Logger } from "../logger.js";

/** A GPU peer as the coordinator sees it. */
export interface GpuHandle {
  readonly id: string;
  readonly name: string | undefined;
  /** The session assigned to it, until the GPU reports it released. */
  sessionId: string | undefined;
  /** ms since the Unix epoch. */
  readonly joinedAt: number;
}

/** Public view of a GPU, for `mock.gpus`. */
export interface GpuInfo {
  id: string;
  name?: string;
  sessionId?: string;
  joinedAt: number;
}

interface Entry {
  handle: GpuHandle;
  ws: WebSocket;
}

/** Events the pool reports upward. */
export interface GpuPoolEvents {
  onJoin(gpu: GpuHandle): void;
  onMessage(gpu: GpuHandle, message: GpuMessage): void;
  onLeave(gpu: GpuHandle): void;
}

/** A linked GPU that has not said `hello` within this long is disconnected. */
const GPU_HELLO_TIMEOUT_MS = 5_000;

/** Registered GPU peers. */
export class GpuPool {
  private readonly entries = new Map<string, Entry>();
  private nextId = 1;
  private readonly joinWaiters = new Set<() => void>();

  constructor(
    private readonly events: GpuPoolEvents,
    private readonly logger: Logger,
  ) {}

  /** Takes a freshly upgraded (authenticated) link socket; the GPU joins once it says `hello`. */
  attach(ws: WebSocket): void {
    let entry: Entry | undefined;
    const helloTimer = setTimeout(() => ws.close(4001, "no hello"), GPU_HELLO_TIMEOUT_MS);
    ws.on("message", (raw) => {
      let message: GpuMessage;
      try {
        message = parseLinkFrame(GpuMessageSchema, raw);
      } catch (error) {
        this.logger.warn({ err: error }, "dropping a malformed GPU link frame");
        return;
      }
      try {
        if (!entry) {
          if (message.type !== "hello") return;
          clearTimeout(helloTimer);
          if (message.version !== GPU_LINK_VERSION) {
            ws.close(4000, `link version ${GPU_LINK_VERSION} required`);
            return;
          }
          const handle: GpuHandle = {
            id: `gpu-${this.nextId++}`,
            name: message.name?.slice(0, 100),
            sessionId: undefined,
            joinedAt: Date.now(),
          };
          entry = { handle, ws };
          this.entries.set(handle.id, entry);
          this.send(handle.id, { type: "welcome", gpuId: handle.id, version: GPU_LINK_VERSION });
          this.events.onJoin(handle);
          for (const w of [...this.joinWaiters]) w();
          return;
        }
        this.events.onMessage(entry.handle, message);
      } catch (error) {
        // A GPU's message must never take the coordinator down with it.
        this.logger.error({ err: error, type: message.type }, "GPU link message handler failed");
      }
    });
    ws.on("error", (error) => this.logger.debug({ err: error }, "GPU link socket error"));
    ws.on("close", () => {
      clearTimeout(helloTimer);
      if (!entry) return;
      this.entries.delete(entry.handle.id);
      this.events.onLeave(entry.handle);
    });
  }

  /** Sends a message to a GPU; false when it is gone. */
  send(gpuId: string, message: CoordinatorMessage): boolean {
    const entry = this.entries.get(gpuId);
    if (!entry || entry.ws.readyState !== entry.ws.OPEN) return false;
    try {
      entry.ws.send(JSON.stringify(message));
    } catch (error) {
      this.logger.error({ err: error, type: message.type }, "could not send to a GPU");
      return false;
    }
    return true;
  }

  /** A GPU with no session, oldest first. */
  free(): GpuHandle | undefined {
    for (const e of this.entries.values()) if (e.handle.sessionId === undefined) return e.handle;
    return undefined;
  }

  /** The GPU, if registered. */
  get(gpuId: string): GpuHandle | undefined {
    return this.entries.get(gpuId)?.handle;
  }

  /** Snapshot for `mock.gpus`. */
  list(): GpuInfo[] {
    return [...this.entries.values()].map(({ handle }) => ({
      id: handle.id,
      ...(handle.name !== undefined && { name: handle.name }),
      ...(handle.sessionId !== undefined && { sessionId: handle.sessionId }),
      joinedAt: handle.joinedAt,
    }));
  }

  /** Number of registered GPUs. */
  get size(): number {
    return this.entries.size;
  }

  /** Resolves once at least `count` GPUs are registered. */
  waitForCount(count: number): Promise<void> {
    if (this.entries.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.entries.size < count) return;
        this.joinWaiters.delete(check);
        resolve();
      };
      this.joinWaiters.add(check);
    });
  }

  /** Closes every link socket. */
  close(): void {
    for (const e of this.entries.values()) e.ws.terminate();
    this.entries.clear();
    this.joinWaiters.clear();
  }
}
