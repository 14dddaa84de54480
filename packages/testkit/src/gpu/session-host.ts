/**
 * A session hosted by a fake GPU peer: the model instance, the shared video source feeding
 * every connection, the input-track publish slots, the data-channel semantics (runtime
 * messages, commands, control requests, in whichever wire each connection latched) and the
 * session-wide faults (`gpu-drop`,
 * `session-ended`, `moderation-terminate`).
 */
import {
  type ClientMessage,
  detectWire,
  type IceCandidateInit,
  PUBLISH_REFUSED_CODE,
  PUBLISH_TRACK_METHOD,
  type ServerMessage,
  type TrackMappingEntry,
  timeMicros,
  type UploadReferenceWire,
  type WireFrame,
  wireCodec,
} from "@reactor-node/protocol";
import type { RtpPacket } from "werift";
import { ToneSource } from "../audio/tone-source.js";
import { boundedJson, clip, HISTORY_MAX_DETAIL_CHARS } from "../bounds.js";
import { type FaultSpec, findFault } from "../faults/spec.js";
import type { Logger } from "../logger.js";
import type { ModelConfig } from "../model/config.js";
import { capabilitiesOf, EchoModel, type ModelMessage } from "../model/echo.js";
import { type ClipSink, DEFAULT_RECORDING, type RecordingSettings, SessionRecorder } from "../recording/recorder.js";
import { createVideoSource, type VideoSource } from "../video/source.js";
import { type ConnectionHost, GpuConnection } from "./connection.js";
import type { GpuMessage, VideoSettings } from "./link.js";
import { AUDIO_FRAME_MS } from "./media.js";
import { PublishedAudio } from "./published-audio.js";
import type { PublishedRecord } from "./published-record.js";
import { type EchoFrame, PublishedVideo } from "./published-video.js";

/** What the session needs from its GPU peer. */
export interface SessionServices {
  logger: Logger;
  video: VideoSettings;
  report(message: GpuMessage): void;
  fetchUpload(sessionId: string, uploadId: string): Promise<Uint8Array>;
}

/** One session on a GPU peer. */
export class SessionHost {
  readonly model: EchoModel;
  readonly capabilities;
  readonly connections = new Map<number, GpuConnection>();
  /** Input track name → the connection publishing it. */
  private readonly publishers = new Map<string, number>();
  /** What the model receives on each published input track (echoed on its outputs). */
  private readonly inbound = new Map<string, { connectionId: number; media: PublishedVideo | PublishedAudio }>();
  /** Echoed frames replace the source's from the first one on (until the track is unpublished). */
  private echoingVideo = false;
  private echoingAudio = false;
  private echoKeyframeWanted = false;
  private lastSourceTs = 0;
  private lastSourceAt = performance.now();
  private lastEchoTs = -1;
  private readonly source: VideoSource;
  /** `main_audio` while nothing is published on `mic`. */
  readonly tone: ToneSource;
  private readonly timers = new Set<NodeJS.Timeout>();
  private audioTimer: NodeJS.Timeout | null = null;
  private firstConnected = false;
  private dropped = false;
  private closed = false;
  private readonly host: ConnectionHost;
  /** Records what the model streams, for clips and recordings. */
  readonly recorder: SessionRecorder;

  constructor(
    readonly sessionId: string,
    config: ModelConfig,
    readonly faults: readonly FaultSpec[],
    timings: { idleTimeoutMs: number; iceGatherTimeoutMs: number },
    private readonly services: SessionServices,
    recording: RecordingSettings = DEFAULT_RECORDING,
  ) {
    this.tone = new ToneSource(services.logger);
    this.model = new EchoModel(config, {
      resolveUpload: (ref) => this.resolveUpload(ref),
      onState: (state) => {
        this.source.setState({
          effect: state.effect,
          intensity: state.intensity,
          caption: state.caption,
          overlay: state.overlay?.bytes ?? null,
          overlayStrength: state.overlay?.strength ?? 0.5,
        });
        this.tone.setFrequency(state.tone);
      },
    });
    this.capabilities = capabilitiesOf(this.model.schema, services.video.fps);
    this.source = createVideoSource({ ...services.video, ...(services.logger && { logger: services.logger }) });
    this.recorder = new SessionRecorder(sessionId, recording, this.source, this.clipSink());
    this.source.onFrame((frame) => {
      this.lastSourceTs = frame.timestamp90k;
      this.lastSourceAt = performance.now();
      if (this.echoingVideo) return;
      const tag = { captureTimeUs: timeMicros() };
      for (const c of this.connections.values()) c.media.sendVideo(frame, tag);
      this.recorder.onFrame(frame);
    });
    const outputTracks = this.capabilities.tracks
      .filter((t) => t.direction === "recvonly")
      .map((t) => ({ name: t.name, kind: t.kind }));
    this.host = {
      sessionId,
      logger: services.logger,
      faults,
      idleTimeoutMs: timings.idleTimeoutMs,
      iceGatherTimeoutMs: timings.iceGatherTimeoutMs,
      outputTracks,
      report: (m) => services.report(m),
      onFrame: (c, channel, frame) => {
        // Whatever a client sends ends as a record or an unhandled report, never a rejection.
        this.onFrame(c, channel, frame).catch((error: unknown) => {
          services.logger.warn({ err: error, channel }, "inbound frame handler failed");
          this.unhandled(c, `${channel} frame could not be handled: ${(error as Error)?.message ?? String(error)}`);
        });
      },
      onConnected: (c) => this.onConnected(c),
      onGone: (c) => this.onGone(c),
      onKeyframeWanted: () => this.keyframeWanted(),
      onInboundRtp: (c, track, _kind, packet) => this.onInboundRtp(c, track, packet),
    };
  }

  /** Resolves when the video can start (the loop is playable). */
  get ready(): Promise<void> {
    return this.source.ready;
  }

  /** Handles an offer (new connection, or re-offer replacing the connection's peer). */
  async offer(
    connectionId: number,
    sdpOffer: string,
    mapping: TrackMappingEntry[],
    legacy: boolean,
    generation = 0,
  ): Promise<string> {
    let connection = this.connections.get(connectionId);
    // A connection created by early candidates is kept (with its buffer); any other is replaced.
    if (!connection || connection.hasRemote || connection.isClosed || connection.legacy !== legacy) {
      if (connection) await connection.close("superseded");
      connection = new GpuConnection(this.host, connectionId, legacy, generation);
      this.connections.set(connectionId, connection);
    } else connection.generation = generation;
    try {
      return await connection.answer(sdpOffer, mapping);
    } catch (error) {
      await connection.close("failed");
      throw error;
    }
  }

  /** Applies trickled candidates (buffered until the offer is applied). */
  async candidates(connectionId: number, candidates: IceCandidateInit[]): Promise<void> {
    let connection = this.connections.get(connectionId);
    if (!connection) {
      // Candidates before the offer: park them on a connection the offer will replace.
      connection = new GpuConnection(this.host, connectionId, false, 0);
      this.connections.set(connectionId, connection);
    }
    await connection.addCandidates(candidates);
  }

  /** Closes one connection (superseded or dropped by the coordinator). */
  async closeConnection(connectionId: number, reason: string): Promise<void> {
    await this.connections.get(connectionId)?.close(reason);
  }

  private onConnected(connection: GpuConnection): void {
    this.services.report({
      type: "event",
      sessionId: this.sessionId,
      connectionId: connection.connectionId,
      name: "connected",
    });
    this.source.start();
    if (connection.media.wantsKeyframe()) this.keyframeWanted();
    if (this.capabilities.tracks.some((t) => t.kind === "audio" && t.direction === "recvonly") && !this.audioTimer) {
      this.audioTimer = setInterval(() => {
        if (this.echoingAudio) return;
        const packet = this.tone.next();
        for (const c of this.connections.values()) c.media.sendAudioTick(packet);
      }, AUDIO_FRAME_MS);
    }
    if (this.firstConnected) return;
    this.firstConnected = true;
    const drop = findFault(this.faults, "gpu-drop");
    if (drop) this.later(drop.after * 1000, () => this.drop());
    const ended = findFault(this.faults, "session-ended");
    if (ended) this.later(ended.after * 1000, () => this.endFromGpu(ended.reason));
    const moderation = findFault(this.faults, "moderation-terminate");
    if (moderation) {
      this.later(moderation.after * 1000, () => {
        this.broadcastRuntime("moderation", {
          action: "terminate",
          input_kind: "command",
          command: null,
          categories: ["testkit"],
          message: moderation.message,
        });
        this.endFromGpu("moderation");
      });
    }
  }

  private onGone(connection: GpuConnection): void {
    if (this.connections.get(connection.connectionId) === connection) this.connections.delete(connection.connectionId);
    for (const [track, owner] of this.publishers) {
      if (owner !== connection.connectionId) continue;
      this.publishers.delete(track);
      this.stopInbound(track);
    }
    if (![...this.connections.values()].some((c) => c.media.connected)) {
      this.source.stop();
      if (this.audioTimer) clearInterval(this.audioTimer);
      this.audioTimer = null;
    }
  }

  // gpu-drop: the peer vanishes without a word, once per session, so a reconnect can succeed.
  private drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.services.report({ type: "event", sessionId: this.sessionId, name: "gpu_drop" });
    for (const c of [...this.connections.values()]) void c.close("dropped");
  }

  private endFromGpu(reason: string): void {
    this.services.report({ type: "sessionEnded", sessionId: this.sessionId, reason });
  }

  /**
   * One inbound frame. The connection's wire is latched from its first frame, as the runtime
   * does (docs/protocol.md §9: text or `{`/`[` bytes = v0, other binary = v1); a frame in the
   * other encoding afterwards is recorded as unhandled and dropped.
   */
  private async onFrame(connection: GpuConnection, channel: "data" | "control", frame: string | Buffer): Promise<void> {
    const wire = detectWire(frame);
    connection.wire ??= wire;
    if (wire !== connection.wire) {
      this.unhandled(
        connection,
        `a ${wire} frame on '${channel}' after the connection latched ${connection.wire} (the encoding cannot change mid-stream)`,
      );
      return;
    }
    const decoded = wireCodec(wire).decodeClient(channel, frame);
    if (!decoded.ok) {
      this.unhandled(connection, decoded.error.message);
      return;
    }
    const m = decoded.message;
    switch (m.kind) {
      case "command":
        return this.onCommand(connection, m);
      case "runtime":
        return this.onRuntime(connection, m.type, m.data, m.requestId);
      case "request":
        return this.onRequest(connection, m);
      case "notification":
        return this.onNotification(connection, m);
      case "legacy":
        this.unhandled(connection, "data frame without an envelope");
        return;
      case "response":
        this.services.report({
          type: "event",
          sessionId: this.sessionId,
          connectionId: connection.connectionId,
          name: "client_error",
          detail: boundedJson(m),
        });
        return;
      case "unknown":
        // A request of a newer release is still answered, so its caller does not wait 10 s.
        if (m.requestId !== undefined) {
          this.send(connection, {
            kind: "response",
            channel,
            requestId: m.requestId,
            error: { code: "unknown_request", message: "this testkit does not know the request" },
          });
        }
        this.unhandled(connection, `a ${channel} message without a payload this testkit knows`);
        return;
    }
  }

  /**
   * Runs a command. v1 gets a RESPONSE with the command's id: the model's reply, an ack, or
   * `invalid_command` / `unresolved_upload` / `internal_error` with the reason; v0 gets the
   * reply only (its codec drops acknowledgements and errors, as the runtime never sends them).
   */
  private async onCommand(connection: GpuConnection, m: Extract<ClientMessage, { kind: "command" }>): Promise<void> {
    const uploads: Record<string, UploadReferenceWire> = {};
    for (const [k, ref] of Object.entries(m.uploads ?? {})) uploads[k] = ref.toWire();
    const outcome = await this.model.handle(m.type, m.data, uploads);
    this.services.report({
      type: "command",
      sessionId: this.sessionId,
      connectionId: connection.connectionId,
      commandType: m.type,
      data: boundedJson(m.data),
      ...(Object.keys(uploads).length > 0 && { uploads }),
      ok: outcome.ok,
      ...(!outcome.ok && { code: outcome.code, reason: outcome.reason }),
    });
    const { requestId } = m;
    if (!outcome.ok) {
      const error = { code: outcome.code, message: outcome.reason };
      if (!this.send(connection, { kind: "response", channel: "data", ...(requestId && { requestId }), error })) {
        this.services.logger.info(
          { code: outcome.code, reason: outcome.reason },
          "command refused (not answered to v0)",
        );
      }
      return;
    }
    const [reply, ...more] = outcome.replies;
    if (reply)
      this.send(connection, { kind: "model", type: reply.type, data: reply.data, ...(requestId && { requestId }) });
    else if (requestId) this.send(connection, { kind: "response", channel: "data", requestId });
    for (const extra of more) this.send(connection, { kind: "model", type: extra.type, data: extra.data });
    for (const b of outcome.broadcasts) this.broadcast(b);
  }

  private onRuntime(connection: GpuConnection, type: string, data: unknown, requestId: string | undefined): void {
    const id = requestId !== undefined ? { requestId } : {};
    switch (type) {
      case "ping":
        return;
      case "requestSchema":
        if (!findFault(this.faults, "schema-never")) {
          this.send(connection, { kind: "runtime", type: "modelSchema", data: this.model.schema, ...id });
        }
        return;
      case "fileUploaded":
        this.services.report({
          type: "event",
          sessionId: this.sessionId,
          connectionId: connection.connectionId,
          name: "file_uploaded",
          detail: boundedJson(data),
        });
        return;
      case "requestClip":
      case "requestRecording": {
        const duration = (data as { duration_seconds?: unknown } | null)?.duration_seconds;
        const answer =
          type === "requestClip"
            ? this.recorder.request("snap", typeof duration === "number" ? duration : Number.NaN)
            : this.recorder.request("recording");
        this.send(
          connection,
          answer.ok
            ? { kind: "runtime", type: "clipReady", data: answer.clip, ...id }
            : { kind: "runtime", type: "clipFailed", data: { reason: answer.reason }, ...id },
        );
        return;
      }
      default:
        this.unhandled(connection, `unknown runtime message '${clip(type, 64)}'`);
    }
  }

  private onRequest(connection: GpuConnection, m: Extract<ClientMessage, { kind: "request" }>): void {
    const answer = { kind: "response", channel: "control", method: m.method, requestId: m.requestId } as const;
    if (m.method !== PUBLISH_TRACK_METHOD) {
      this.send(connection, {
        ...answer,
        error: { code: "unknown_method", message: `unknown method '${clip(m.method, 64)}'` },
      });
      return;
    }
    const name = typeof m.data.name === "string" ? m.data.name : "";
    const error = this.claimPublish(connection.connectionId, name);
    this.send(
      connection,
      error ? { ...answer, error: { code: PUBLISH_REFUSED_CODE, message: error } } : { ...answer, data: {} },
    );
  }

  private onNotification(connection: GpuConnection, m: Extract<ClientMessage, { kind: "notification" }>): void {
    if (m.event === "pause_track" || m.event === "resume_track") {
      if (!connection.media.setPaused(m.name, m.event === "pause_track")) {
        this.unhandled(connection, `${m.event} for unknown output track '${clip(m.name, 64)}'`);
        return;
      }
      // What the connection sent until now, so tests can check a client's counters against ours.
      this.services.report({
        type: "event",
        sessionId: this.sessionId,
        connectionId: connection.connectionId,
        name: m.event,
        detail: { track: m.name, sent: { ...connection.media.stats } },
      });
      if (connection.media.wantsKeyframe()) this.keyframeWanted();
      return;
    }
    if (m.event === "unpublish_track") {
      if (this.publishers.get(m.name) === connection.connectionId) {
        this.publishers.delete(m.name);
        this.stopInbound(m.name);
      }
      return;
    }
    this.unhandled(connection, `unexpected control notification '${clip(m.event, 64)}'`);
  }

  /**
   * Sends `message` in the connection's wire (v0 until it latched one). False when nothing was
   * sent: the wire has no such message (v0 command answers), the channel is not open, or it
   * cannot be encoded (recorded as unhandled: e.g. a reply over the message limit).
   */
  private send(connection: GpuConnection, message: ServerMessage): boolean {
    let frame: WireFrame | undefined;
    try {
      frame = wireCodec(connection.wire ?? "v0").encodeServer(message);
    } catch (error) {
      this.unhandled(connection, `a '${message.kind}' message was not sent: ${(error as Error).message}`);
      return false;
    }
    if (!frame) return false;
    return typeof frame.payload === "string"
      ? connection.sendText(frame.channel, frame.payload)
      : connection.sendBytes(frame.channel, frame.payload);
  }

  private claimPublish(connectionId: number, name: string): string | undefined {
    const track = this.capabilities.tracks.find((t) => t.name === name);
    if (track?.direction !== "sendonly") return `'${clip(name, 64)}' is not an input track of this model`;
    const owner = this.publishers.get(name);
    if (owner !== undefined && owner !== connectionId) return `'${name}' is already published by connection ${owner}`;
    this.publishers.set(name, connectionId);
    if (owner === undefined) this.startInbound(connectionId, name, track.kind);
    return undefined;
  }

  private startInbound(connectionId: number, name: string, kind: "video" | "audio"): void {
    const report = (record: PublishedRecord) =>
      this.services.report({ type: "published", sessionId: this.sessionId, record });
    if (kind === "audio") {
      const media = new PublishedAudio(
        {
          emit: (payload) => {
            this.echoingAudio = true;
            for (const c of this.connections.values()) c.media.sendAudioTick(payload);
          },
          report,
        },
        this.sessionId,
        connectionId,
        name,
      );
      this.inbound.set(name, { connectionId, media });
      return;
    }
    const fps = this.services.video.fps;
    const media = new PublishedVideo(
      {
        logger: this.services.logger,
        frameMetadata: this.connections.get(connectionId)?.frameMetadata ?? false,
        effect: () => {
          const state = this.model.snapshot();
          if (state.effect === "none" || state.intensity === 0) return undefined;
          return { effect: state.effect, intensity: state.intensity, bitrate: 0, fps };
        },
        takeKeyframeWanted: () => {
          const wanted = this.echoKeyframeWanted;
          this.echoKeyframeWanted = false;
          return wanted;
        },
        requestKeyframe: () => this.connections.get(connectionId)?.requestInputKeyframe(name),
        emit: (frame) => this.emitEcho(frame),
        report,
      },
      this.sessionId,
      connectionId,
      name,
    );
    this.inbound.set(name, { connectionId, media });
  }

  private stopInbound(name: string): void {
    const entry = this.inbound.get(name);
    if (!entry) return;
    this.inbound.delete(name);
    void entry.media.close();
    if (entry.media instanceof PublishedAudio) {
      this.echoingAudio = false;
      return;
    }
    if (!this.echoingVideo) return;
    // Back to the model's own picture, starting at a keyframe.
    this.echoingVideo = false;
    for (const c of this.connections.values()) c.media.requireKeyframe();
    this.source.requestKeyframe();
  }

  private onInboundRtp(connection: GpuConnection, track: string, packet: RtpPacket): void {
    const entry = this.inbound.get(track);
    if (entry?.connectionId !== connection.connectionId) return;
    entry.media.pushRtp(packet);
  }

  private keyframeWanted(): void {
    if (this.echoingVideo) this.echoKeyframeWanted = true;
    else this.source.requestKeyframe();
  }

  // Echoed frames continue the source's 90 kHz clock, so the output's timestamps never jump back.
  private emitEcho(frame: EchoFrame): void {
    this.echoingVideo = true;
    const now = Math.round(this.lastSourceTs + (performance.now() - this.lastSourceAt) * 90);
    const ts = Math.max(now, this.lastEchoTs + 1) % 2 ** 32;
    this.lastEchoTs = ts;
    for (const c of this.connections.values()) {
      if (frame.restart) c.media.requireKeyframe();
      c.media.sendVideo(
        {
          data: frame.data,
          keyframe: frame.keyframe,
          timestamp90k: ts,
          frameNumber: -1,
          boundary: false,
          origin: "live",
        },
        // The published frame's capture time and user data travel on with its echo.
        {
          captureTimeUs: frame.metadata?.captureTimeUs ?? timeMicros(),
          ...(frame.metadata?.userData !== undefined && { userData: frame.metadata.userData }),
        },
      );
    }
  }

  private unhandled(connection: GpuConnection, detail: string): void {
    this.services.report({
      type: "unhandled",
      sessionId: this.sessionId,
      connectionId: connection.connectionId,
      detail: clip(detail, HISTORY_MAX_DETAIL_CHARS),
    });
  }

  /** Sends a model message to every connection, each in its own wire. */
  broadcast(message: ModelMessage): void {
    for (const c of this.connections.values()) this.send(c, { kind: "model", type: message.type, data: message.data });
  }

  private broadcastRuntime(type: string, data: unknown): void {
    for (const c of this.connections.values()) this.send(c, { kind: "runtime", type, data });
  }

  private clipSink(): ClipSink {
    const sessionId = this.sessionId;
    const report = (m: GpuMessage) => this.services.report(m);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
    return {
      pending: (key, clip) => report({ type: "clipPending", sessionId, key, clip }),
      segment: (key, index, durationS, data) =>
        report({ type: "clipSegment", sessionId, key, index, durationS, dataBase64: b64(data) }),
      done: (key, init, segments, frames) =>
        report({ type: "clipDone", sessionId, key, initBase64: b64(init), segments, frames }),
      failed: (key, reason) => report({ type: "clipFailed", sessionId, key, reason }),
    };
  }

  private async resolveUpload(ref: UploadReferenceWire): Promise<Uint8Array> {
    return this.services.fetchUpload(this.sessionId, ref.upload_id);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  /**
   * Ends the session on this GPU: `sessionEnded {reason}` to every connection (when `notify`),
   * then every peer, timer and the video source closes (idempotent).
   */
  async close(reason: string, notify: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.audioTimer) clearInterval(this.audioTimer);
    this.audioTimer = null;
    this.tone.close();
    if (notify) {
      this.broadcastRuntime("sessionEnded", { reason: reason.slice(0, 64) });
      // Let SCTP flush the goodbye before the transports go.
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const name of [...this.inbound.keys()]) this.stopInbound(name);
    await Promise.all([...this.connections.values()].map((c) => c.close("released")));
    this.connections.clear();
    this.recorder.finish();
    await this.source.close();
  }
}
