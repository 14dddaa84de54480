/**
 * The parts of a `Reactor` and how they are wired to each other: the status table, the
 * observing view (schema, stats, timings, session info), credentials, the observed coordinator,
 * the track registry, publishing, the session lifecycle, the operation runner, opt-in automatic
 * reconnect and what clip downloads need. The public object (`reactor.ts`) holds them and decides what each call
 * does; the callbacks between the parts live here, in one place.
 */
import { inOperation, type ReactorError } from "@reactor-node/protocol";
import { Credentials } from "./api/credentials.js";
import { ObservedCoordinator } from "./api/observed-coordinator.js";
import { SessionView } from "./api/session-view.js";
import type { ClipDownloadHost } from "./clips/download.js";
import { listenerError } from "./errors.js";
import type { Emitter, ReactorEventMap } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import { publishConnection } from "./publish/connection.js";
import { Publishing } from "./publish/publishing.js";
import { AutoReconnect } from "./reconnect/auto-reconnect.js";
import { SessionLifecycle } from "./session/lifecycle.js";
import { type OperationContext, OperationRunner } from "./session/operation.js";
import { SessionStatus } from "./session/status.js";
import { TrackRegistry } from "./tracks/track-registry.js";

/** What the parts need from the public object. */
export interface ReactorPartsHost {
  emitter: Emitter<ReactorEventMap>;
  /** Records `error` as the last error, logs it and emits it on `error`. */
  reportError(error: ReactorError): void;
  /** The options of the current connect (they change per `connect()` call). */
  connectOptions(): ResolvedOptions;
}

/** The wired parts. */
export interface ReactorParts {
  status: SessionStatus;
  view: SessionView;
  credentials: Credentials;
  registry: TrackRegistry;
  publishing: Publishing;
  lifecycle: SessionLifecycle;
  operations: OperationRunner;
  autoReconnect: AutoReconnect | undefined;
  /** A reconnect's body: a new connection to the same session, then the after-ready waits. */
  reconnectBody(op: OperationContext): Promise<void>;
  /** What `downloadClip()` needs from the session (the API origin's credentials, the timeout). */
  clipDownloads: ClipDownloadHost;
}

/** Builds the parts for `options` and wires them to each other and to `host`. */
export function buildReactorParts(options: ResolvedOptions, host: ReactorPartsHost): ReactorParts {
  const { logger } = options;
  const { emitter, reportError } = host;
  const status: SessionStatus = new SessionStatus((value, event) => {
    logger.debug({ status: value, event }, "status");
    view.onStatus(value);
    emitter.emit("status_changed", value);
  });
  const view: SessionView = new SessionView({
    schema: () => lifecycle.schema,
    requestSchema: (signal) =>
      lifecycle.wire.request(
        "schema",
        (requestId) => ({ kind: "runtime", type: "requestSchema", data: {}, ...(requestId && { requestId }) }),
        { what: "requestSchema()", operation: "schema", ...(signal && { signal }) },
      ),
    connection: () => {
      const connection = lifecycle.currentConnection;
      return connection && { pc: connection.transport.pc, connectionId: connection.connectionId };
    },
    sessionId: () => lifecycle.sessionId,
    expiresAt: () => lifecycle.expiresAt,
    tracks: () => registry.tracks.values(),
    mainVideo: () => registry.defaultVideoTrack(),
    emitStats: (stats) => emitter.emit("stats", stats),
    statsIntervalMs: options.statsIntervalMs,
    logger,
  });
  const publishing: Publishing = new Publishing({
    reportError,
    status: () => status.value,
    republishOnReconnect: options.republishOnReconnect,
    logger,
  });
  const credentials: Credentials = new Credentials({
    apiKey: options.apiKey,
    jwt: options.jwt,
    apiUrl: options.apiUrl,
    modelName: options.modelName,
    timeoutMs: options.requestTimeoutMs,
    logger,
    onResolved: (ms) => view.timer.tokenSpent(ms),
  });
  const coordinator: ObservedCoordinator = new ObservedCoordinator(
    { baseUrl: options.apiUrl, local: options.local, jwt: credentials, timeoutMs: options.requestTimeoutMs },
    view.coordinator,
  );
  const registry: TrackRegistry = new TrackRegistry({
    publish: (info, publishOptions) => publishing.publish(info, publishOptions),
    sendTrackControl: (event, name) => {
      // The registry knows each track's gate on this connection (what `track.paused` reads).
      if (event === "pause_track") registry.markPaused(name);
      const sent = lifecycle.sendControl({ kind: "notification", event, name });
      if (sent && event === "resume_track") registry.markResumed(name);
      return sent;
    },
    gateClosed: (name) => registry.gateClosed(name),
    reportError: (error) => reportError(inOperation(error, "track")),
    audioOutput: options.audio,
    logger,
  });
  if (options.modelTracks) registry.presetTracks(options.modelTracks);
  const lifecycle: SessionLifecycle = new SessionLifecycle({
    coordinator,
    get options() {
      return host.connectOptions();
    },
    registry,
    emit: (event, ...args) => {
      view.observe(event, args);
      emitter.emit(event, ...args);
    },
    transition: (event) => status.apply(event),
    // What the running session reports on its own (a drop, the server ending it, bad frames).
    reportError: (error) => reportError(inOperation(error, "session")),
    onDropped: (error) => autoReconnect?.start(error),
    onConnectionReady: (transport) => publishing.connected(publishConnection(transport, lifecycle.wire)),
    onConnectionClosed: () => publishing.disconnected(),
    onSessionForgotten: () => void publishing.endAll(),
  });
  const operations: OperationRunner = new OperationRunner({
    timeoutMs: options.connectTimeoutMs,
    began: () => view.timer.begin(),
    failed: async (kind, error) => {
      await lifecycle.afterFailure(kind, error);
      status.apply("operation-failed");
      if (error.code !== "ABORTED") reportError(error);
    },
  });
  const reconnectBody = async (op: OperationContext): Promise<void> => {
    await lifecycle.reconnect(op);
    await view.afterReady(op.signal);
  };
  const policy = options.reconnectPolicy;
  const autoReconnect: AutoReconnect | undefined = policy
    ? new AutoReconnect(
        policy,
        (signal) => operations.run("reconnect", signal, reconnectBody),
        (error) => logger.warn({ err: error }, "automatic reconnect gave up"),
        logger,
      )
    : undefined;
  const clipDownloads: ClipDownloadHost = {
    apiUrl: options.apiUrl,
    authorization: (signal) => coordinator.authorization(signal),
    ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    reportListenerError: (error) => reportError(listenerError(error, "downloadClip() onProgress")),
  };
  return {
    status,
    view,
    credentials,
    registry,
    publishing,
    lifecycle,
    operations,
    autoReconnect,
    reconnectBody,
    clipDownloads,
  };
}
