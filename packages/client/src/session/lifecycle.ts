/**
 * The session and its current connection: creating or adopting a session, waiting for a GPU,
 * opening, losing and closing connections, ending the session, and turning inbound traffic into
 * events. The public object (`reactor.ts`) decides *when* to connect, reconnect or disconnect;
 * this file knows *how*, and reports each step to the status table (`status.ts`). Connection events are tagged with a connection generation so a late event of an old
 * transport is ignored.
 */
import {
  type Capabilities,
  type ChannelLabel,
  type ClientMessage,
  type IceServer,
  isReactorError,
  type ModelSchemaDocument,
  type ReactorError,
  reactorError,
  type SessionDescriptor,
  type TrackInfo,
} from "@reactor-node/protocol";
import type { MediaStreamTrack } from "werift";
import type { ReactorEventMap } from "../events.js";
import type { Coordinator } from "../http/coordinator.js";
import { withRetry } from "../http/retry.js";
import { END_SESSION_TIMEOUT_MS, type ResolvedOptions } from "../options.js";
import {
  type Connection,
  type NegotiateOptions,
  negotiate,
  type PreparedOffer,
  prepareOffer,
} from "../signalling/negotiate.js";
import type { TrackRegistry } from "../tracks/track-registry.js";
import { Keepalive } from "../transport/keepalive.js";
import type { PeerTransport } from "../transport/peer.js";
import { SessionWire } from "../wire/session-wire.js";
import { type InboundSink, routeInbound } from "./inbound.js";
import type { OperationContext } from "./operation.js";
import type { StatusEvent } from "./status.js";
import { waitForSessionReady } from "./wait-ready.js";

/** What the lifecycle needs from the public object. */
export interface LifecycleHost {
  coordinator: Coordinator;
  options: ResolvedOptions;
  registry: TrackRegistry;
  emit<K extends keyof ReactorEventMap>(event: K, ...args: ReactorEventMap[K]): void;
  /** Reports what happened to the status table (`status.ts`). */
  transition(event: StatusEvent): void;
  reportError(error: ReactorError): void;
  /** A ready connection dropped and the session was kept (start auto-reconnect if enabled). */
  onDropped(error: ReactorError): void;
  /** A connection passed the readiness gate (publishing binds to it). */
  onConnectionReady?(transport: PeerTransport): void;
  /** The current connection closed (drop, reconnect, disconnect). */
  onConnectionClosed?(): void;
  /** The session is gone for good (ended, failed, disconnected without keeping it). */
  onSessionForgotten?(): void;
}

/** See the file comment. */
export class SessionLifecycle {
  sessionId: string | undefined;
  connectionId: number | undefined;
  capabilities: Capabilities | undefined;
  schema: ModelSchemaDocument | undefined;
  expiresAt: number | undefined;
  private createdByUs = false;
  private kept = false;
  private capabilitiesFor: string | undefined;
  private iceServers: IceServer[] = [];
  private connection: Connection | undefined;
  private transport: PeerTransport | undefined;
  private connectionGeneration = 0;
  private readonly keepalive: Keepalive;
  private readonly sink: InboundSink;
  /** The data-channel wire (v1 or v0) and the requests waiting for answers on it. */
  readonly wire: SessionWire;

  constructor(private readonly host: LifecycleHost) {
    const logger = host.options.logger;
    this.wire = new SessionWire(host.options.wire, {
      send: (channel, payload) => this.send(channel, payload),
      messageLimit: () => this.messageLimit,
    });
    this.keepalive = new Keepalive(() => {
      try {
        this.wire.notify({ kind: "runtime", type: "ping", data: {} });
      } catch (error) {
        logger.debug({ err: error }, "keep-alive ping not sent");
      }
    });
    this.sink = {
      message: (message) => host.emit("message", message),
      runtimeMessage: (message) => host.emit("runtime_message", message),
      error: (error) => host.reportError(error),
      schema: (document) => {
        this.schema = document as ModelSchemaDocument;
      },
      sessionEnded: (reason) => this.onSessionEnded(reason),
      logger,
    };
  }

  /** The coordinator client (uploads use it). */
  get coordinator(): Coordinator {
    return this.host.coordinator;
  }

  /** The ready connection, if any (statistics read its peer). */
  get currentConnection(): Connection | undefined {
    return this.connection;
  }

  /** True while a ready connection exists. */
  get connected(): boolean {
    return this.connection?.transport.ready === true;
  }

  /** True when a session is held without a connection (after a drop or a recoverable disconnect). */
  get hasKeptSession(): boolean {
    return this.sessionId !== undefined && this.kept && this.connection === undefined;
  }

  /** The outbound message limit of the current connection. */
  get messageLimit(): number {
    return this.connection?.transport.messageLimit ?? Number.POSITIVE_INFINITY;
  }

  /** Sends an encoded frame on the current connection (typed errors when it cannot). */
  private send(label: ChannelLabel, payload: string | Uint8Array): void {
    if (!this.connection) throw reactorError("NOT_READY", "There is no connection to the GPU");
    this.connection.transport.send(label, payload);
  }

  /** Sends a notification if connected; false otherwise (the intent is applied on the next connection). */
  sendControl(message: ClientMessage): boolean {
    if (!this.connection) return false;
    try {
      this.wire.notify(message);
      return true;
    } catch (error) {
      this.host.reportError(isReactorError(error) ? error : reactorError("DATA_CHANNEL_CLOSED", String(error)));
      return false;
    }
  }

  /** Full connect: session (create or adopt), GPU wait, connection. Retries once with a new session if it was lost. */
  async connect(op: OperationContext, options: { sessionId?: string; connectionId?: number }): Promise<void> {
    for (let round = 0; ; round++) {
      this.host.transition("negotiating");
      try {
        const early = await this.acquireSession(op, options.sessionId);
        await this.openConnection(op, options.connectionId, early);
        return;
      } catch (error) {
        const lost = isReactorError(error) && error.code === "SESSION_LOST";
        if (!lost || round > 0 || options.sessionId !== undefined || !op.isCurrent()) throw error;
        this.host.options.logger.info({ err: error }, "session lost while connecting; retrying with a new session");
        await this.closeConnection();
        await this.endOwnedSession();
        this.forgetSession();
      }
    }
  }

  /** New connection to the held session: check it still exists, register, re-offer with PUT. */
  async reconnect(op: OperationContext): Promise<void> {
    const sessionId = this.sessionId;
    if (!sessionId) throw reactorError("NOT_READY", "There is no session to reconnect to");
    await this.closeConnection();
    this.host.transition("negotiating");
    const session = await waitForSessionReady(this.coordinator, sessionId, {
      signal: op.signal,
      allowInactive: true,
      onUpdate: (d) => this.onSessionUpdate(op, d),
    });
    if (!op.isCurrent()) throw reactorError("ABORTED", "reconnect() was superseded");
    this.host.transition("session-acquired");
    this.iceServers = await withRetry(() => this.coordinator.getIceServers(sessionId, op.signal), {
      signal: op.signal,
    });
    await this.openConnection(op);
    this.kept = false;
    this.setExpiration(session.expiresAtMs);
  }

  /** Cleanup after a failed connect/reconnect that is still current. */
  async afterFailure(kind: "connect" | "reconnect", error: ReactorError): Promise<void> {
    await this.closeConnection();
    if (kind === "reconnect" && error.recoverable) {
      this.kept = true;
      return;
    }
    // A failed connect leaves nothing to reconnect to: end what we created so it stops costing GPU time.
    if (kind === "connect") await this.endOwnedSession();
    this.host.registry.endAll();
    this.forgetSession();
  }

  /** Closes the connection; ends the session if we created it, unless `recoverable`. */
  async disconnect(recoverable: boolean): Promise<void> {
    await this.closeConnection();
    if (!this.sessionId) {
      this.host.registry.endAll();
      return;
    }
    if (recoverable) {
      this.kept = true;
      this.setExpiration(Date.now() + this.host.options.reconnectWindowMs);
      return;
    }
    await this.endOwnedSession();
    this.host.registry.endAll();
    this.forgetSession();
  }

  // With the tracks known in advance (`modelTracks`), the transport and its offer are built while
  // the session waits for a GPU; the attempt is returned for openConnection to use.
  private async acquireSession(op: OperationContext, adoptId: string | undefined): Promise<Attempt | undefined> {
    let initial: SessionDescriptor | undefined;
    if (adoptId !== undefined) {
      this.setSession(adoptId, false);
    } else {
      // Creation is not idempotent: retry only when the server refused it and said when to retry
      // (429, or a 5xx with Retry-After such as a runtime's 503 while its model loads).
      initial = await withRetry(
        () => this.coordinator.createSession(this.host.options.modelName, this.host.options.extraArgs, op.signal),
        { signal: op.signal, retryable: refusedWithRetryAfter },
      );
      // Record it even if we were aborted meanwhile: disconnect() must still end what we created.
      this.setSession(initial.sessionId, true);
      if (!op.isCurrent()) throw reactorError("ABORTED", "connect() was superseded");
    }
    const sessionId = this.sessionId as string;
    this.host.transition("session-acquired");
    // ICE servers can be fetched while the session is still being polled.
    const ice = withRetry(() => this.coordinator.getIceServers(sessionId, op.signal), { signal: op.signal });
    ice.catch(() => {});
    const preset = this.host.options.modelTracks;
    const early = preset
      ? ice.then(
          (servers) => {
            this.iceServers = servers;
            return op.isCurrent() ? this.attempt(op, preset) : undefined;
          },
          () => undefined,
        )
      : undefined;
    try {
      await waitForSessionReady(this.coordinator, sessionId, {
        signal: op.signal,
        ...(initial && { initial }),
        onUpdate: (d) => this.onSessionUpdate(op, d),
      });
      this.iceServers = await ice;
    } catch (error) {
      await (await early)?.prepared?.close();
      throw error;
    }
    if (!op.isCurrent()) throw reactorError("ABORTED", "connect() was superseded");
    return early;
  }

  // A connection attempt: its generation, and the negotiation bound to it (events of an older
  // generation are ignored). `prepared` starts building the transport and offer at once.
  private attempt(op: OperationContext, tracks: readonly TrackInfo[], prepare = true): Attempt {
    const { options, registry } = this.host;
    const generation = ++this.connectionGeneration;
    registry.beginConnection(generation);
    let transport: PeerTransport | undefined;
    const negotiation: NegotiateOptions = {
      coordinator: this.coordinator,
      sessionId: this.sessionId as string,
      iceServers: this.iceServers,
      tracks,
      frameMetadata: options.frameMetadata,
      kind: op.kind,
      signal: op.signal,
      readyTimeoutMs: options.transportTimeoutMs,
      ...(options.sdpPollAttempts !== undefined && { sdpPollAttempts: options.sdpPollAttempts }),
      logger: options.logger,
      onTransport: (t) => {
        transport = t;
        if (generation === this.connectionGeneration) this.transport = t;
      },
      events: {
        onFrame: (label, frame) => {
          if (generation !== this.connectionGeneration) return;
          const received = this.wire.receive(label, frame);
          if (received && "error" in received) this.sink.error(received.error);
          else if (received) routeInbound(received.message, this.sink);
        },
        onTrack: (info, track) => this.onTrack(generation, info, track, () => transport),
        onLost: (error) => this.onLost(generation, error),
      },
    };
    return { generation, negotiation, ...(prepare && { prepared: prepareOffer(negotiation) }) };
  }

  private async openConnection(op: OperationContext, connectionId?: number, early?: Attempt): Promise<void> {
    const { options, registry } = this.host;
    const tracks = this.capabilities?.tracks ?? [];
    let attempt = early?.generation === this.connectionGeneration ? early : undefined;
    if (attempt && !sameTracks(attempt.negotiation.tracks, tracks)) {
      options.logger.warn(
        { modelTracks: attempt.negotiation.tracks.map((t) => t.name), tracks: tracks.map((t) => t.name) },
        "modelTracks differ from the session's tracks: offering again with the session's",
      );
      attempt = undefined;
    }
    if (attempt !== early) await early?.prepared?.close();
    attempt ??= this.attempt(op, tracks, false);
    const { generation } = attempt;
    const connection = await negotiate(
      { ...attempt.negotiation, ...(connectionId !== undefined && { connectionId }) },
      attempt.prepared,
    );
    if (!op.isCurrent() || generation !== this.connectionGeneration) {
      await connection.close();
      throw reactorError("ABORTED", "The connection attempt was superseded");
    }
    this.connection = connection;
    this.connectionId = connection.connectionId;
    this.keepalive.start();
    if (options.autoResumeTracks) {
      for (const track of registry.resumable()) {
        if (registry.markResumed(track.name)) this.sendControl(resumeTrack(track.name));
      }
    }
    this.requestSchema();
    this.host.transition("transport-ready");
    if (this.connection === connection) this.host.onConnectionReady?.(connection.transport);
  }

  private onTrack(
    generation: number,
    info: TrackInfo,
    media: MediaStreamTrack,
    transport: () => PeerTransport | undefined,
  ): void {
    const { registry, options } = this.host;
    if (generation !== this.connectionGeneration || !registry.markReceived(generation, info)) return;
    const track = registry.get(info.name);
    track.bind({
      track: media,
      requestKeyframe: (ssrc) => transport()?.requestKeyframe(info.name, ssrc),
      frameMetadata: transport()?.frameMetadata === true,
    });
    this.host.emit("track_received", info.name, track);
    // A track arriving after ready is resumed on its own (docs/protocol.md §4).
    if (this.connection && options.autoResumeTracks && !track.pauseRequested && registry.markResumed(info.name)) {
      this.sendControl(resumeTrack(info.name));
    }
  }

  // On every transition to ready. The schema arrives as a `modelSchema` runtime message (routed
  // like any other); on v1 it answers the request by id, so a refusal or silence is reported.
  private requestSchema(): void {
    this.wire
      .request(
        "schema",
        (requestId) => ({ kind: "runtime", type: "requestSchema", data: {}, ...(requestId && { requestId }) }),
        {
          what: "The model schema request",
          operation: "session",
        },
      )
      .catch((error: unknown) => {
        // A connection that closes first is reported as what it is, not as an unanswered request.
        if (isReactorError(error) && error.code === "DATA_CHANNEL_CLOSED" && !this.connection) return;
        this.host.reportError(isReactorError(error) ? error : reactorError("DATA_CHANNEL_CLOSED", String(error)));
      });
  }

  private onLost(generation: number, error: ReactorError): void {
    if (generation !== this.connectionGeneration || !this.connection) return;
    void this.closeConnection();
    this.kept = true;
    this.host.reportError(error);
    this.host.transition("connection-lost");
    this.setExpiration(Date.now() + this.host.options.reconnectWindowMs);
    this.host.onDropped(error);
  }

  private onSessionEnded(reason: string): void {
    if (!this.connection || !this.sessionId) return;
    this.host.reportError(reactorError("SESSION_ENDED", `The server ended the session${reason ? `: ${reason}` : ""}`));
    void this.closeConnection();
    this.host.registry.endAll();
    this.forgetSession();
    this.host.transition("session-ended");
  }

  private onSessionUpdate(op: OperationContext, session: SessionDescriptor): void {
    if (!op.isCurrent()) return;
    if (session.capabilities && this.capabilitiesFor !== this.sessionId) {
      this.capabilitiesFor = this.sessionId;
      this.capabilities = session.capabilities;
      this.host.registry.applyCapabilities(session.capabilities);
      this.host.emit("capabilities_received", session.capabilities);
    }
    if (session.expiresAtMs !== undefined) this.setExpiration(session.expiresAtMs);
  }

  private async closeConnection(): Promise<void> {
    this.connectionGeneration++;
    this.keepalive.stop();
    this.wire.reset();
    this.host.registry.unbindAll();
    const connection = this.connection;
    const transport = this.transport;
    this.connection = undefined;
    this.transport = undefined;
    this.connectionId = undefined;
    if (connection || transport) this.host.onConnectionClosed?.();
    if (connection) await connection.close();
    else if (transport) await transport.close();
  }

  private setSession(sessionId: string, createdByUs: boolean): void {
    this.createdByUs = createdByUs;
    this.kept = false;
    if (this.sessionId === sessionId) return;
    this.sessionId = sessionId;
    this.host.emit("session_id_changed", sessionId);
  }

  private forgetSession(): void {
    if (this.sessionId === undefined) return;
    this.sessionId = undefined;
    this.createdByUs = false;
    this.kept = false;
    this.capabilitiesFor = undefined;
    this.capabilities = undefined;
    this.schema = undefined;
    this.host.registry.resetCapabilities();
    this.host.onSessionForgotten?.();
    this.setExpiration(undefined);
    this.host.emit("session_id_changed", undefined);
  }

  private async endOwnedSession(): Promise<void> {
    const sessionId = this.sessionId;
    if (!sessionId || !this.createdByUs) return;
    this.createdByUs = false;
    try {
      await this.coordinator.endSession(sessionId, undefined, AbortSignal.timeout(END_SESSION_TIMEOUT_MS));
    } catch (error) {
      this.host.options.logger.warn({ err: error, sessionId }, "ending the session failed");
    }
  }

  private setExpiration(expiresAt: number | undefined): void {
    if (expiresAt === this.expiresAt) return;
    this.expiresAt = expiresAt;
    this.host.emit("session_expiration_changed", expiresAt);
  }
}

/** One connection attempt (see `SessionLifecycle.attempt`). */
interface Attempt {
  generation: number;
  negotiation: NegotiateOptions;
  prepared?: PreparedOffer;
}

// The runtime matches the offer's tracks by mid and name, so their order does not matter.
function sameTracks(a: readonly TrackInfo[], b: readonly TrackInfo[]): boolean {
  const key = (t: TrackInfo): string => `${t.name}\u0000${t.kind}\u0000${t.direction}`;
  const keys = new Set(b.map(key));
  return a.length === b.length && a.every((t) => keys.has(key(t)));
}

function refusedWithRetryAfter(error: ReactorError): boolean {
  return error.code === "RATE_LIMITED" || (error.code === "SERVER_ERROR" && error.retryAfter !== undefined);
}

function resumeTrack(name: string): ClientMessage {
  return { kind: "notification", event: "resume_track", name };
}
