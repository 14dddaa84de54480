/**
 * The fake coordinator's HTTP server: the hosted API, local-mode API, presigned uploads and
 * the GPU link WebSocket (`/_testkit/gpu`) on one port.
 */
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { LOCAL_RECONNECT_WINDOW_MS, reactorError } from "@reactor-node/protocol";
import { WebSocketServer } from "ws";
import type { FaultSpec } from "../faults/spec.js";
import { GPU_LINK_PATH } from "../gpu/link.js";
import type { CallHistory } from "../history.js";
import type { Logger } from "../logger.js";
import type { ModelConfig } from "../model/config.js";
import type { Timings } from "../timings.js";
import { type OnUnhandled, resolveOnUnhandled, unhandledReporter } from "../unhandled.js";
import { AccessPolicy } from "./access.js";
import { Authority } from "./auth.js";
import { ClipStore } from "./clips.js";
import { ConnectionManager } from "./connections.js";
import type { CoordinatorContext } from "./context.js";
import { generateGpuSecret, gpuCredentialMatches } from "./gpu-credential.js";
import { GpuPool } from "./gpu-pool.js";
import { Pipeline } from "./pipeline.js";
import { Router } from "./router.js";
import { clipRoutes } from "./routes/clips.js";
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
  /** What happens to unknown routes, malformed bodies and undecodable frames (default `"error"`). */
  onUnhandled?: OnUnhandled;
  /** @deprecated Use `onUnhandled`: `true` is `"error"`, `false` is `"bypass"`. */
  strict?: boolean;
  history: CallHistory;
  logger: Logger;
  /** Host names clients may use besides loopback and the listening address (`"*"`: any). */
  allowedHosts?: readonly string[] | "*";
  /** Origins browsers may call from (`"*"`: any); default loopback origins and allowed hosts. */
  corsOrigins?: readonly string[] | "*";
  /** The base URL put in `presigned_url` (default: the listening address, never a request's `Host`). */
  publicUrl?: string;
  /** The secret GPU peers must present on the link (default: random). */
  gpuSecret?: string;
}

/** A running coordinator. */
export interface CoordinatorServer {
  /** `http://host:port` */
  readonly url: string;
  /** `ws://host:port/_testkit/gpu` */
  readonly gpuLinkUrl: string;
  /** What GPU peers present to join (`Authorization: Bearer <gpuSecret>` on the link). */
  readonly gpuSecret: string;
  /** @internal The coordinator's parts (what the mock drives). */
  readonly parts: CoordinatorContext;
  /** Replaces the mock-wide faults (sessions created later, and every request for `http-status`). */
  setFaults(faults: FaultSpec[]): void;
  close(): Promise<void>;
}

/** Slow or silent clients lose their socket instead of holding it (values in ms). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
/** Largest frame a GPU may send on the link (its reports are bounded far below this). */
const GPU_LINK_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Answers an upgrade request that is not taken over, then closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, detail: string): void {
  const body = JSON.stringify({ detail });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function listenUrl(host: string, port: number, scheme: "http" | "ws"): string {
  const wildcard = host === "0.0.0.0" || host === "::" || host === "";
  const shown = wildcard ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `${scheme}://${shown}:${port}`;
}

/** Starts the coordinator; resolves once it listens. */
export async function startCoordinator(options: CoordinatorOptions): Promise<CoordinatorServer> {
  if (options.models.length === 0) throw reactorError("INVALID_ARGUMENT", "at least one model is required");
  const uploads = new UploadStore();
  const clips = new ClipStore();
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
  const connections = new ConnectionManager(pool, options.history);
  const reportUnhandled = unhandledReporter(
    resolveOnUnhandled(options.onUnhandled, options.strict),
    options.history,
    options.logger,
  );
  sessions = new SessionManager({
    pool,
    connections,
    uploads,
    clips,
    history: options.history,
    logger: options.logger,
    timings: options.timings,
    localReconnectWindowMs: options.localReconnectWindowMs ?? LOCAL_RECONNECT_WINDOW_MS,
    reportUnhandled,
  });
  let faults = [...options.faults];
  const gpuSecret = options.gpuSecret ?? generateGpuSecret();
  const access = new AccessPolicy(options.host, {
    ...(options.allowedHosts !== undefined && { allowedHosts: options.allowedHosts }),
    ...(options.corsOrigins !== undefined && { corsOrigins: options.corsOrigins }),
  });
  const parts: CoordinatorContext = {
    publicUrl: "",
    authority: new Authority(options.apiKeys),
    sessions,
    connections,
    uploads,
    clips,
    pool,
    history: options.history,
    logger: options.logger,
    models: new Map(options.models.map((m) => [m.name, m])),
    faults: () => faults,
    reportUnhandled,
  };
  const router = new Router().add(
    ...hostedRoutes(parts),
    ...uploadRoutes(parts),
    ...clipRoutes(parts),
    ...transportRoutes(parts),
    ...localRoutes(parts),
  );
  const pipeline = new Pipeline(parts, router, access, faults);
  const setFaults = (next: FaultSpec[]) => {
    faults = [...next];
    pipeline.setFaults(faults);
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      pipeline.handle(req, res).catch((error: unknown) => {
        // handle() answers every failure itself; this is the last line before a crash.
        options.logger.error({ err: error }, "coordinator request failed");
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
        res.end();
      });
    },
  );
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: GPU_LINK_MAX_FRAME_BYTES });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node drops its own error handler from upgrade sockets: an unhandled reset would crash us.
    socket.on("error", (error) => options.logger.debug({ err: error }, "upgrade socket error"));
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://testkit.invalid").pathname;
    } catch {
      refuseUpgrade(socket, 400, "Malformed request target");
      return;
    }
    if (path !== GPU_LINK_PATH) {
      refuseUpgrade(socket, 404, `No WebSocket at ${path.slice(0, 200)}`);
      return;
    }
    const verdict = access.checkGpuLink(req);
    if (!verdict.ok) {
      refuseUpgrade(socket, 403, verdict.detail);
      return;
    }
    if (!gpuCredentialMatches(req.headers.authorization, gpuSecret)) {
      options.history.push("events", { type: "gpu_refused", detail: "bad or missing GPU secret", time: Date.now() });
      refuseUpgrade(socket, 401, "GPU link: missing or wrong GPU secret");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => pool.attach(ws));
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      upgrade(req, socket, head);
    } catch (error) {
      options.logger.error({ err: error }, "GPU link upgrade failed");
      socket.destroy();
    }
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
  const url = listenUrl(options.host, port, "http");
  parts.publicUrl = (options.publicUrl ?? url).replace(/\/+$/, "");
  let closing: Promise<void> | null = null;
  return {
    url,
    gpuLinkUrl: `${listenUrl(options.host, port, "ws")}${GPU_LINK_PATH}`,
    gpuSecret,
    parts,
    setFaults,
    close() {
      if (closing) return closing;
      closing = (async () => {
        faults = [];
        sessions.close();
        uploads.close();
        clips.close();
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
