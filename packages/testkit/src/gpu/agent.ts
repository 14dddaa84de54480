/**
 * A fake GPU peer: dials the coordinator's link (`ws://…/_testkit/gpu`), hosts at most one
 * session at a time and serves it. Runs in the coordinator's process (the default) or alone
 * (`reactor-testkit gpu --coordinator ws://…`).
 */
import { type ReactorError, reactorError } from "@reactor-node/protocol";
import WebSocket from "ws";
import { type Logger, silentLogger } from "../logger.js";
import {
  type CoordinatorMessage,
  CoordinatorMessageSchema,
  GPU_LINK_VERSION,
  type GpuMessage,
  parseLinkFrame,
  type VideoSettings,
} from "./link.js";
import { SessionHost } from "./session-host.js";

/** Options of {@link startGpuPeer}. */
export interface GpuPeerOptions {
  /** The coordinator's link URL, e.g. `ws://127.0.0.1:8080/_testkit/gpu`. */
  coordinator: string;
  /** The coordinator's GPU secret (`mock.gpuSecret`; `reactor-testkit serve` prints it). */
  secret: string;
  video: VideoSettings;
  /** A name for logs and `mock.gpus`. */
  name?: string;
  logger?: Logger;
}

/** A running fake GPU peer. */
export interface GpuPeer {
  /** The id the coordinator gave this peer. */
  readonly id: string;
  /** The session it hosts, if any. */
  readonly sessionId: string | undefined;
  /** Resolves when the link closes (coordinator gone or {@link close}). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Connects a GPU peer to a coordinator; resolves once the coordinator welcomed it. */
export async function startGpuPeer(options: GpuPeerOptions): Promise<GpuPeer> {
  const logger = options.logger ?? silentLogger;
  const ws = new WebSocket(options.coordinator, { headers: { Authorization: `Bearer ${options.secret}` } });
  let session: SessionHost | null = null;
  let id = "";
  let closing: Promise<void> | null = null;
  let nextUpload = 1;
  const uploads = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: ReactorError) => void }>();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });

  // Reports carry what clients sent; one that cannot be encoded is dropped, never thrown.
  const send = (message: GpuMessage) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    try {
      ws.send(JSON.stringify(message));
    } catch (error) {
      logger.warn({ err: error, type: message.type }, "could not send a link message");
    }
  };

  const services = {
    logger,
    video: options.video,
    report: send,
    fetchUpload: (sessionId: string, uploadId: string) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const requestId = nextUpload++;
        uploads.set(requestId, { resolve, reject });
        send({ type: "uploadFetch", requestId, sessionId, uploadId });
      }),
  };

  async function endSession(host: SessionHost, reason: string, notify: boolean): Promise<void> {
    await host.close(reason, notify);
    if (session === host) session = null;
    send({ type: "released", sessionId: host.sessionId });
  }

  async function handle(m: CoordinatorMessage): Promise<void> {
    switch (m.type) {
      case "welcome":
        return;
      case "assign": {
        if (session) {
          send({ type: "assigned", sessionId: m.sessionId, ok: false, detail: `busy with ${session.sessionId}` });
          return;
        }
        try {
          const host = new SessionHost(m.sessionId, m.model, m.faults, m.timings, services, m.recording);
          session = host;
          send({ type: "assigned", sessionId: m.sessionId, ok: true, capabilities: host.capabilities });
        } catch (error) {
          send({ type: "assigned", sessionId: m.sessionId, ok: false, detail: String(error) });
        }
        return;
      }
      case "offer": {
        const host = session;
        if (!host || host.sessionId !== m.sessionId) {
          send({
            type: "answer",
            sessionId: m.sessionId,
            connectionId: m.connectionId,
            ok: false,
            detail: "session not hosted here",
          });
          return;
        }
        const about = { sessionId: m.sessionId, connectionId: m.connectionId, generation: m.generation ?? 0 };
        try {
          const sdp = await host.offer(m.connectionId, m.sdpOffer, m.trackMapping, m.legacy, about.generation);
          send({ type: "answer", ...about, ok: true, sdpAnswer: sdp });
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error);
          send({ type: "answer", ...about, ok: false, detail });
        }
        return;
      }
      case "candidates":
        if (session?.sessionId === m.sessionId) await session.candidates(m.connectionId, m.candidates);
        return;
      case "closeConnection":
        if (session?.sessionId === m.sessionId) await session.closeConnection(m.connectionId, m.reason);
        return;
      case "release":
        if (session?.sessionId === m.sessionId) await endSession(session, m.reason, m.notify);
        else send({ type: "released", sessionId: m.sessionId });
        return;
      case "uploadData": {
        const waiter = uploads.get(m.requestId);
        uploads.delete(m.requestId);
        if (!waiter) return;
        if (m.ok && m.dataBase64 !== undefined) waiter.resolve(new Uint8Array(Buffer.from(m.dataBase64, "base64")));
        else waiter.reject(reactorError("NOT_FOUND", m.detail ?? "upload not resolvable"));
        return;
      }
    }
  }

  ws.on("message", (raw) => {
    let message: CoordinatorMessage;
    try {
      message = parseLinkFrame(CoordinatorMessageSchema, raw);
    } catch (error) {
      logger.warn({ err: error }, "dropping a malformed link frame");
      return;
    }
    if (message.type === "welcome") id = message.gpuId;
    handle(message).catch((error) => logger.error({ err: error, type: message.type }, "GPU link handler failed"));
  });

  ws.on("close", () => {
    for (const w of uploads.values()) w.reject(reactorError("ABORTED", "GPU link closed"));
    uploads.clear();
    const host = session;
    session = null;
    (host ? host.close("coordinator gone", false) : Promise.resolve())
      .catch((error: unknown) => logger.warn({ err: error }, "closing the session failed"))
      .finally(resolveClosed);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        reactorError("NETWORK_ERROR", `GPU peer could not reach ${options.coordinator}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    ws.once("error", onError);
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.off("error", onError);
      ws.on("error", () => {});
      const code = res.statusCode === 401 || res.statusCode === 403 ? "UNAUTHORIZED" : "NETWORK_ERROR";
      reject(reactorError(code, `the coordinator refused the GPU link: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once("open", () => {
      ws.off("error", onError);
      ws.on("error", (error) => logger.warn({ err: error }, "GPU link error"));
      send({ type: "hello", version: GPU_LINK_VERSION, ...(options.name && { name: options.name }) });
    });
    ws.on("message", function onWelcome(raw) {
      try {
        const m = parseLinkFrame(CoordinatorMessageSchema, raw);
        if (m.type === "welcome") {
          ws.off("message", onWelcome);
          resolve();
        }
      } catch {
        // reported by the main handler
      }
    });
  });

  const peer: GpuPeer = {
    get id() {
      return id;
    },
    get sessionId() {
      return session?.sessionId;
    },
    closed,
    close() {
      if (closing) return closing;
      closing = (async () => {
        const host = session;
        session = null;
        if (host) await host.close("GPU peer shutting down", true);
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, "bye");
        await closed;
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return peer.close();
    },
  };
  return peer;
}
