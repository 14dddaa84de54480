/**
 * `Reactor`: the public session object (docs/protocol.md §7). Every public call checks its
 * arguments (`api/call-options.ts`) before it decides what runs. `connect()`/`reconnect()` run
 * as operations (`session/operation.ts`: generations, supersession, the deadline); the status
 * they move through is decided in `session/status.ts`; the parts this object holds are built
 * and wired to each other in `reactor-parts.ts`. The wire work lives in `http/`, `signalling/`,
 * `transport/`; the observing view (schema, stats, timings, session info) in `api/`.
 */

import type { AudioInput, VideoInput } from "@reactor-node/frames";
import {
  type Capabilities,
  type Clip,
  type FileRef,
  inOperation,
  isReactorError,
  type ModelSchemaDocument,
  type ReactorError,
  type ReactorMessage,
  type ReactorOperation,
  type ReactorState,
  type ReactorStatus,
  type RgbFrame,
  reactorError,
} from "@reactor-node/protocol";
import { raceAbort, throwIfAborted } from "./abort.js";
import {
  type ConnectOptions,
  clipSecondsCall,
  connectCall,
  type DisconnectOptions,
  disconnectCall,
  type MessageScope,
  type SendCommandOptions,
  sendCommandCall,
  signalCall,
} from "./api/call-options.js";
import type { Credentials } from "./api/credentials.js";
import { mainVideoFrames } from "./api/main-frames.js";
import type { SessionInfo, SessionView } from "./api/session-view.js";
import type { JwtInput } from "./auth/jwt-source.js";
import type { ClipTarget } from "./clips/clip-sink.js";
import {
  type ClipDownloadHost,
  type DownloadClipOptions,
  type DownloadedClip,
  downloadClip,
} from "./clips/download.js";
import { requestClipOn } from "./clips/request-clip.js";
import { LISTENER_ERROR, listenerError } from "./errors.js";
import { assertSubscription, CLIENT_EVENTS, Emitter, type Listener, type ReactorEventMap } from "./events.js";
import { type ReactorOptions, type ResolvedOptions, resolveOptions } from "./options.js";
import type { Publishing, PublishTrackOptions } from "./publish/publishing.js";
import { buildReactorParts } from "./reactor-parts.js";
import type { AutoReconnect } from "./reconnect/auto-reconnect.js";
import type { SessionLifecycle } from "./session/lifecycle.js";
import type { OperationContext, OperationRunner } from "./session/operation.js";
import type { SessionStatus } from "./session/status.js";
import type { ConnectionTimings } from "./stats/timings.js";
import type { ReactorStats } from "./stats/types.js";
import type { FrameIteratorOptions } from "./tracks/frame-source.js";
import type { Track } from "./tracks/track.js";
import type { TrackRegistry } from "./tracks/track-registry.js";
import { type UploadOptions, uploadFile } from "./uploads/upload.js";
import type { UploadInput } from "./uploads/upload-source.js";
import { describeValue, invalidArgument } from "./validate.js";

/** A Reactor session: connect to a model, send commands, receive messages and frames. */
export class Reactor implements AsyncDisposable {
  private readonly options: ResolvedOptions;
  /** The options of the current connect (`autoResumeTracks`, `maxAttempts` per call). */
  private connectOptions: ResolvedOptions;
  private readonly emitter: Emitter<ReactorEventMap>;
  private readonly credentials: Credentials;
  private readonly view: SessionView;
  private readonly registry: TrackRegistry;
  private readonly publishing: Publishing;
  private readonly lifecycle: SessionLifecycle;
  private readonly autoReconnect: AutoReconnect | undefined;
  private readonly status: SessionStatus;
  private readonly operations: OperationRunner;
  private readonly reconnectBody: (op: OperationContext) => Promise<void>;
  private readonly clipDownloads: ClipDownloadHost;
  private lastError: ReactorError | undefined;
  private seedFrameCallback: (() => void) | undefined;

  constructor(options: ReactorOptions) {
    this.options = resolveOptions(options);
    this.connectOptions = this.options;
    const { logger } = this.options;
    this.emitter = new Emitter<ReactorEventMap>((error, event) => {
      if (event === "error") {
        logger.error({ err: error }, "an 'error' listener threw");
        return;
      }
      this.reportError(listenerError(error, `'${String(event)}' listener`));
    });
    const parts = buildReactorParts(this.options, {
      emitter: this.emitter,
      reportError: (error) => this.reportError(error),
      connectOptions: () => this.connectOptions,
    });
    this.status = parts.status;
    this.view = parts.view;
    this.credentials = parts.credentials;
    this.registry = parts.registry;
    this.lifecycle = parts.lifecycle;
    this.publishing = parts.publishing;
    this.operations = parts.operations;
    this.autoReconnect = parts.autoReconnect;
    this.reconnectBody = parts.reconnectBody;
    this.clipDownloads = parts.clipDownloads;
  }

  /** Subscribes to an event (INVALID_ARGUMENT for an unknown name); returns the unsubscribe function. */
  on<K extends keyof ReactorEventMap>(event: K, listener: Listener<ReactorEventMap, K>): () => void {
    assertSubscription("on", event, listener);
    return this.emitter.on(event, listener);
  }

  /** Subscribes for one emission. */
  once<K extends keyof ReactorEventMap>(event: K, listener: Listener<ReactorEventMap, K>): () => void {
    assertSubscription("once", event, listener);
    return this.emitter.once(event, listener);
  }

  /** Removes the latest subscription of `listener` to `event` (the official JS SDK's form of unsubscribing). */
  off<K extends keyof ReactorEventMap>(event: K, listener: Listener<ReactorEventMap, K>): void {
    assertSubscription("off", event, listener);
    this.emitter.off(event, listener);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof ReactorEventMap): void {
    if (event !== undefined && !(CLIENT_EVENTS as readonly unknown[]).includes(event)) {
      assertSubscription("removeAllListeners", event, () => {});
    }
    this.emitter.clear(event);
  }

  /** Calls `callback` with every RGB frame of the main video track (the first received video track). */
  onFrame(callback: (frame: RgbFrame) => void): () => void {
    if (typeof callback !== "function")
      throw invalidArgument("onFrame()", `expected a function, got ${describeValue(callback)}`);
    return this.registry.onDefaultFrame(callback);
  }

  /** The main video track's frames as an async iterator (see `Track.frames`); waits for the track if not known yet. */
  frames(options: FrameIteratorOptions = {}): AsyncIterableIterator<RgbFrame> {
    return mainVideoFrames(
      () => this.registry.known,
      () => this.registry.defaultVideoTrack(),
      this.view.tracksKnown,
      options,
    ) as AsyncIterableIterator<RgbFrame>;
  }

  /** Hands a frame of `onFrame()`/`frames()` back for reuse (see `Track.release`). */
  release(frame: RgbFrame): void {
    this.registry.defaultVideoTrack()?.release(frame);
  }

  /** The seed's single frame callback slot: replaces the previous one; `null` removes it. */
  setFrameCallback(callback: ((frame: RgbFrame) => void) | null): void {
    if (callback !== null && typeof callback !== "function") {
      throw invalidArgument("setFrameCallback()", `expected a function or null, got ${describeValue(callback)}`);
    }
    this.seedFrameCallback?.();
    this.seedFrameCallback = callback ? this.onFrame(callback) : undefined;
  }

  /**
   * Connects: exchanges the API key (for a token scoped to the model; unscoped when adopting), creates (or adopts) a
   * session, waits for a GPU, opens the WebRTC connection and resolves once `ready` and the
   * model schema has arrived (at most `CONNECT_SCHEMA_WAIT_MS`, 5 s, later). Also
   * `connect(jwt, options?)`, the official JS SDK's form. Arguments are checked before any I/O
   * (INVALID_ARGUMENT). Rejects with the error that stopped it, its own code kept (UNAUTHORIZED,
   * RATE_LIMITED with `retryAfter`, SESSION_TERMINAL, a VersionMismatchError or ConflictError,
   * ABORTED…) and `operation: "connect"`; CONNECTION_FAILED means the WebRTC transport could
   * not be established (cause = why). The same object is emitted on `error` (except aborts and
   * argument errors). With a session kept from a drop or `disconnect({recoverable: true})`,
   * connect() reconnects to it.
   */
  async connect(jwtOrOptions?: JwtInput | ConnectOptions, connectOptions?: ConnectOptions): Promise<void> {
    const { jwt, options } = connectCall(jwtOrOptions, connectOptions);
    if (!this.options.local && jwt === undefined && !this.credentials.present) {
      throw invalidArgument(
        "connect()",
        "no credentials: pass apiKey or jwt to new Reactor(), or connect(jwt)",
        "connect",
      );
    }
    const current = this.lifecycle.sessionId;
    if (options.sessionId !== undefined && current !== undefined && options.sessionId !== current) {
      throw reactorError(
        "INVALID_ARGUMENT",
        `Already holding session ${current}: disconnect() before adopting another`,
        { operation: "connect" },
      );
    }
    const running = this.operations.running;
    if (running && this.status.value !== "disconnected") return raceAbort(running, options.signal, "connect()");
    if (this.status.value === "ready") return;
    this.autoReconnect?.cancel();
    const kept = this.lifecycle.sessionId && !options.sessionId && this.lifecycle.hasKeptSession;
    if (jwt !== undefined || !kept) this.credentials.forConnect(jwt, options.sessionId !== undefined);
    this.connectOptions = {
      ...this.options,
      autoResumeTracks: options.autoResumeTracks ?? this.options.autoResumeTracks,
      sdpPollAttempts: options.maxAttempts ?? this.options.sdpPollAttempts,
    };
    if (kept) return this.reconnect(options.signal ? { signal: options.signal } : {});
    return this.operations.run("connect", options.signal, async (op) => {
      await this.lifecycle.connect(op, {
        ...(options.sessionId !== undefined && { sessionId: options.sessionId }),
        ...(options.connectionId !== undefined && { connectionId: options.connectionId }),
      });
      await this.view.afterReady(op.signal);
    });
  }

  /**
   * Opens a new connection to the same session (registers a connection, re-offers with PUT).
   * Rejects with the error that stopped it (`operation: "reconnect"`; RECONNECTION_FAILED when
   * the transport could not be established) and emits the same object.
   */
  async reconnect(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = signalCall("reconnect()", options, "reconnect");
    if (!this.lifecycle.sessionId) {
      const error = reactorError("NOT_READY", "reconnect() needs a session: call connect() first", {
        operation: "reconnect",
      });
      this.reportError(error);
      throw error;
    }
    this.autoReconnect?.cancel();
    return this.operations.run("reconnect", signal, this.reconnectBody);
  }

  /**
   * Disconnects. Ends the session (DELETE, or `POST /stop_session` locally) only if this client
   * created it; `recoverable: true` (or `disconnect(true)`, the official JS SDK's form) keeps it
   * for `reconnect()`. Aborts anything in flight and resolves once every socket, timer and worker
   * this client opened is released. Idempotent.
   */
  async disconnect(recoverableOrOptions?: boolean | DisconnectOptions): Promise<void> {
    const options = disconnectCall(recoverableOrOptions);
    this.autoReconnect?.cancel();
    this.view.reset();
    await this.operations.cancel("disconnect() was called");
    await raceAbort(this.lifecycle.disconnect(options.recoverable === true), options.signal, "disconnect()");
    this.status.apply("disconnected");
  }

  /**
   * Sends a command to the model; top-level FileRefs in `data` travel in `uploads`. The third
   * argument is `{scope?, signal?}` or the scope itself (the official JS SDK's form); arguments of
   * the wrong type are rejected with INVALID_ARGUMENT before anything else.
   *
   * On the v1 wire (the default) every command is answered: this resolves with the model's reply
   * `{type, data}` (also delivered as a `message` event), or `undefined` when the model
   * acknowledged it without a body, and rejects with the ReactorError the model answered with:
   * INVALID_COMMAND (the model's reason in the message), UNRESOLVED_UPLOAD, INTERNAL_ERROR, or
   * MODEL_ERROR (a `ModelError` carrying the model's own code), or with TIMEOUT after
   * `REQUEST_TIMEOUT_MS` (10 s) without an answer, ABORTED, or DATA_CHANNEL_CLOSED when the
   * connection goes first. These answers go to the caller only, not to the `error` event.
   *
   * On v0 a model never answers a command, so this resolves `undefined` once it is sent (a reply
   * the model sends still arrives as a `message` event).
   *
   * When not ready it does not throw: an `error` event with NOT_READY names the command and the
   * status, and it resolves `undefined`. A command that cannot be sent (data JSON cannot carry,
   * MESSAGE_TOO_LARGE over the channel's limit) is refused before anything is sent, thrown and
   * emitted. `scope: "runtime"` sends a platform message by its v0 name without waiting.
   */
  async sendCommand(
    type: string,
    data?: Record<string, unknown>,
    scopeOrOptions?: MessageScope | SendCommandOptions,
  ): Promise<ReactorMessage | undefined> {
    const call = sendCommandCall(type, data, scopeOrOptions);
    const { signal, scope } = call.options;
    if (signal?.aborted) {
      throw reactorError("ABORTED", "sendCommand() was aborted", { cause: signal.reason, operation: "command" });
    }
    if (!this.ready) {
      this.notReady(`send command '${call.type}'`, "command");
      return undefined;
    }
    try {
      if (scope === "runtime") {
        this.lifecycle.wire.runtime(call.type, call.data);
        return undefined;
      }
      return this.lifecycle.wire.command(call.type, call.data, signal ? { signal } : {});
    } catch (error) {
      const typed = isReactorError(error)
        ? inOperation(error, "command")
        : reactorError("INVALID_ARGUMENT", String(error), { cause: error, operation: "command" });
      this.reportError(typed);
      throw typed;
    }
  }

  /**
   * Asks the model for its schema again and resolves with the one it sends (TIMEOUT after
   * `SCHEMA_REQUEST_TIMEOUT_MS`, 10 s); `getSchema()` returns it from then on. Needs a ready
   * session (NOT_READY, thrown and emitted).
   */
  async requestSchema(options: { signal?: AbortSignal } = {}): Promise<ModelSchemaDocument> {
    const { signal } = signalCall("requestSchema()", options, "schema");
    if (!this.ready) throw this.notReady("request the schema", "schema");
    throwIfAborted(signal, "requestSchema()");
    try {
      return await this.view.schema.request(signal);
    } catch (error) {
      const typed = inOperation(error as ReactorError, "schema");
      if (typed.code !== "ABORTED") this.reportError(typed);
      throw typed;
    }
  }

  /**
   * Uploads a file (path, streamed; Buffer/Uint8Array; or Blob) to the session and announces it
   * to the GPU; pass the returned FileRef in command data. Needs a ready session.
   */
  async uploadFile(input: UploadInput, options: UploadOptions = {}): Promise<FileRef> {
    const sessionId = this.lifecycle.sessionId;
    if (this.status.value !== "ready" || !sessionId) throw this.notReady("upload", "upload");
    return uploadFile(
      {
        coordinator: this.lifecycle.coordinator,
        sessionId,
        announce: (ref) => this.lifecycle.wire.notify({ kind: "runtime", type: "fileUploaded", data: ref }),
      },
      input,
      options,
    );
  }

  /**
   * Publishes input track `name` and pushes every frame of `source` (video frames, or audio
   * chunks on an audio track) into it; unpublishes and resolves when the source ends. The source
   * sets the pace. Errors as `track(name).publish()`; abort with `options.signal`.
   */
  async publishTrack(
    name: string,
    source: AsyncIterable<VideoInput | AudioInput> | Iterable<VideoInput | AudioInput>,
    options: PublishTrackOptions = {},
  ): Promise<void> {
    let track: Track;
    try {
      track = this.registry.get(name);
    } catch (error) {
      this.reportError(error as ReactorError);
      throw error;
    }
    return this.publishing.publishTrack(
      { name: track.name, kind: track.kind, direction: track.direction },
      source,
      options,
    );
  }

  /**
   * Asks the model for a clip of its last `seconds` of output (`requestClip`, docs/protocol.md
   * §10). Resolves with the clip's window and playlist URL as soon as the server promises it
   * (download it with {@link downloadClip}); rejects with INVALID_ARGUMENT for a duration that
   * is not a positive number (nothing is sent), NOT_READY, CLIP_FAILED with the server's reason
   * or after 10 s without a reply, or ABORTED.
   */
  async requestClip(seconds: number, options: { signal?: AbortSignal } = {}): Promise<Clip> {
    const duration = clipSecondsCall(seconds);
    if (!this.ready) throw this.notReady("request a clip", "clip");
    return requestClipOn(this.lifecycle.wire, this.options.apiUrl, "snap", duration, options.signal);
  }

  /** Asks for a recording of the whole session so far (`requestRecording`); as {@link requestClip}. */
  async requestRecording(options: { signal?: AbortSignal } = {}): Promise<Clip> {
    if (!this.ready) throw this.notReady("request a recording", "clip");
    return requestClipOn(this.lifecycle.wire, this.options.apiUrl, "recording", undefined, options.signal);
  }

  /**
   * Downloads a clip into a file (or a WritableStream) as one fragmented MP4: polls the playlist
   * while the server prepares it, then fetches every segment, reporting progress. Given a number
   * instead of a clip, requests a clip of that many seconds first. Needs no live connection once
   * the clip exists. Rejects with NOT_FOUND (404), CLIP_EXPIRED (410), TIMEOUT (not ready well
   * after its predicted time), ABORTED, or the request's own errors; a file is never left half-written.
   */
  async downloadClip(
    clip: Clip | number,
    target: ClipTarget,
    options: DownloadClipOptions = {},
  ): Promise<DownloadedClip> {
    const resolved =
      typeof clip === "number" ? await this.requestClip(clip, options.signal ? { signal: options.signal } : {}) : clip;
    return downloadClip(this.clipDownloads, resolved, target, options);
  }

  /**
   * The track called `name`. Before the tracks are known (capabilities, or `modelTracks`) any
   * name gives a placeholder, checked once they arrive; afterwards an unknown name throws UNKNOWN_TRACK.
   */
  track(name: string): Track {
    if (typeof name !== "string" || name.length === 0) {
      throw invalidArgument("track()", `expected a track name, got ${describeValue(name)}`);
    }
    return this.registry.get(name);
  }

  /** Names of the received tracks whose pause gate is closed on the current connection (see `Track.paused`). */
  pausedTracks(): string[] {
    return [...this.registry.tracks.values()].filter((t) => t.direction === "recvonly" && t.paused).map((t) => t.name);
  }

  /** Every known track, by name. */
  get tracks(): ReadonlyMap<string, Track> {
    return this.registry.tracks;
  }

  /** The current status. */
  getStatus(): ReactorStatus {
    return this.status.value;
  }

  /** Status and last error (the seed's `ReactorState`). */
  getState(): ReactorState {
    return { status: this.status.value, ...(this.lastError && { lastError: this.lastError }) };
  }

  /** The session id, while there is a session. */
  getSessionId(): string | undefined {
    return this.lifecycle.sessionId;
  }

  /** The id of the current WebRTC connection, while connected. */
  getConnectionId(): number | undefined {
    return this.lifecycle.connectionId;
  }

  /** The last error reported. */
  getLastError(): ReactorError | undefined {
    return this.lastError;
  }

  /** The session's capabilities, once received. */
  getCapabilities(): Capabilities | undefined {
    return this.lifecycle.capabilities;
  }

  /** The model's OpenAPI document, once received (requested automatically on every transition to ready). */
  getSchema(): ModelSchemaDocument | undefined {
    return this.lifecycle.schema;
  }

  /** Session expiry in ms since the epoch, when known (drop + reconnect window, or a maximum duration). */
  getSessionExpiration(): number | undefined {
    return this.lifecycle.expiresAt;
  }

  /**
   * Connection statistics: RTT, bitrates, loss, jitter, frames per second per track, the selected
   * candidate pair, the connect timings. Sampled while ready (every `statsIntervalMs`, or every
   * second), so this answers at once; undefined while not connected.
   */
  getStats(): ReactorStats | undefined {
    return this.view.stats();
  }

  /** The timing breakdown of the last connect/reconnect that reached ready (until `disconnect()`). */
  getConnectionTimings(): ConnectionTimings | undefined {
    return this.view.timings();
  }

  /** The session as the coordinator last described it (state, cluster, server version, transport, recording). */
  getSessionInfo(): SessionInfo | undefined {
    return this.view.sessionInfo(this.status.value, this.lifecycle.connectionId);
  }

  /** Disconnects (ends a session this client created). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** Ready, with a live connection (what commands, the schema and clip requests need). */
  private get ready(): boolean {
    return this.status.value === "ready" && this.lifecycle.connected;
  }

  /** NOT_READY for `what`, reported; the caller throws it (or, for a command, only reports it). */
  private notReady(what: string, operation: ReactorOperation): ReactorError {
    const error = reactorError("NOT_READY", `Cannot ${what}: the session is ${this.status.value}, not ready`, {
      operation,
    });
    this.reportError(error);
    return error;
  }

  private reportError(error: ReactorError): void {
    this.lastError = error;
    if (error.code !== LISTENER_ERROR) this.options.logger.warn({ err: error }, error.message);
    this.emitter.emit("error", error);
  }
}
