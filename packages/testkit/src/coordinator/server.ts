/**
 * The fake coordinator's HTTP server: the hosted API, local-mode API, presigned uploads and
 * the GPU link WebSocket (`/_testkit/gpu`) on one port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { LOCAL_RECONNECT_WINDOW_MS, reactorError } from "@reactor-node/protocol";
import { WebSocketServer } from "ws";
import type { FaultSpec } from "../faults/spec.js";
import { GPU_LINK_PATH } from "../gpu/link.js";
import type { CallHistory } from "../history.js";
import type { Logger } from "../logger.js";
import type { ModelConfig } from "../model/config.js";
import type { Timings } from "../timings.js";
import { Authority } from "./auth.js";
import { ConnectionManager } from "./connections.js";
import type { Coordinator } from "./context.js";
import { GpuPool } from "./gpu-pool.js";
import { Pipeline } from "./pipeline.js";
import { Router } from "./router.js";
import { hostedRoutes } from "./routes/hosted.js";
import { localRoutes } from "./routes/local.js";
import { transportRoutes } from "./routes/transport.js";
import { uploadRoutes } from "./routes/uploads.js";
import { SessionManager } from "./sessions.js";
import { UploadStore } from "./uploads.js";

/** Options of {@link startCoordinator}. */
export interface CoordinatorOptions {
  host: string;
  port: number;
  apiKeys: string[];
  models: ModelConfig[];
  faults: FaultSpec[];
  timings: Timings;
  /** Reconnect window of local-mode sessions (default 60 s, or `timings.reconnectWindowMs` when set). */
  localReconnectWindowMs?: number;
  strict: boolean;
  history: CallHistory;
  logger: Logger;
}

/** A running coordinator. */
export interface CoordinatorServer {
  /** `http://host:port` */
  readonly url: string;
  /** `ws://host:port/_testkit/gpu` */
  readonly gpuLinkUrl: string;
  readonly parts: Coordinator;
  /** Replaces the mock-wide faults (sessions created later, and every request for `http-status`). */
  setFaults(faults: FaultSpec[]): void;
  close(): Promise<void>;
}

/** Starts the coordinator; resolves once it listens. */
export async function startCoordinator(options: CoordinatorOptions): Promise<CoordinatorServer> {
  if (options.models.length === 0) throw reactorError("INVALID_ARGUMENT", "at least one model is required");
  const uploads = new UploadStore();
  let sessions!: SessionManager;
  const pool = new GpuPool(
    {
      onJoin: (gpu) => {
        options.history.push("events", { type: "gpu_joined", gpuId: gpu.id, time: Date.now() });
        sessions.pump();
      },
      onMessage: (gpu, m) => sessions.onGpuMessage(gpu, m),
      onLeave: (gpu) => sessions.onGpuLeave(gpu),
    },
    options.logger,
  );
  sessions = new SessionManager({
    pool,
    uploads,
    history: options.history,
    logger: options.logger,
    timings: options.timings,
    localReconnectWindowMs: options.localReconnectWindowMs ?? LOCAL_RECONNECT_WINDOW_MS,
    strict: options.strict,
  });
  let faults = [...options.faults];
  const parts: Coordinator = {
    authority: new Authority(options.apiKeys),
    sessions,
    connections: new ConnectionManager(pool, options.history),
    uploads,
    pool,
    history: options.history,
    logger: options.logger,
    models: new Map(options.models.map((m) => [m.name, m])),
    faults: () => faults,
    strict: options.strict,
  };
  const router = new Router().add(
    ...hostedRoutes(parts),
    ...uploadRoutes(parts),
    ...transportRoutes(parts),
    ...localRoutes(parts),
  );
  const pipeline = new Pipeline(parts, router, faults);
  const setFaults = (next: FaultSpec[]) => {
    faults = [...next];
    pipeline.setFaults(faults);
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void pipeline.handle(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path !== GPU_LINK_PATH) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => pool.attach(ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) =>
      reject(
        reactorError(
          "NETWORK_ERROR",
          `coordinator could not listen on ${options.host}:${options.port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    gpuLinkUrl: `ws://${host}:${port}${GPU_LINK_PATH}`,
    parts,
    setFaults,
    close() {
      if (closing) return closing;
      closing = (async () => {
        faults = [];
        sessions.close();
        uploads.close();
        pool.close();
        wss.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          for (const s of sockets) s.destroy();
        });
      })();
      return closing;
    },
  };
}
