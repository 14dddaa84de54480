/**
 * A published input track (docs/protocol.md §4 publish slots, §6 media): what `track.publish()`
 * returns. `pushFrame()` validates on this thread and hands the frame to the track's encoder
 * worker (`@reactor-node/frames`); encoded frames are packetized and paced onto the current
 * connection's sender for the track. The publisher outlives connections: after a drop it is
 * `suspended` (pushed frames are counted as dropped, reason `disconnected`) until the session
 * re-publishes it on the next connection.
 */
import {
  type AudioEncoder,
  type AudioInput,
  type EncodedAudioPacket,
  type EncodedPicture,
  type PublishBackpressure,
  packetizeVp8,
  type VideoEncoder,
  type VideoInput,
} from "@reactor-node/frames";
import {
  appendFrameMetadata,
  FRAME_METADATA_MAX_USER_DATA_BYTES,
  type ReactorError,
  reactorError,
} from "@reactor-node/protocol";
import type { Logger } from "../logger.js";
import { nextBitrateCap, type ReceiverFeedback } from "./bitrate.js";
import { type MediaSenderBinding, PACING_FACTOR, PACING_MIN_BPS, RtpWriter } from "./rtp-writer.js";

/** Options of `track.publish()`. */
export interface PublishOptions {
  /** Video: what happens when the encoder is behind (`latest` replaces the waiting frame, default; `block` waits). */
  backpressure?: PublishBackpressure;
  /** Video target bitrate in bits/s (default from the frame size); audio Opus bitrate (default 64 kb/s). */
  bitrate?: number;
  /** Video: nominal frame rate for rate control (default 30). */
  fps?: number;
  /** Video: encoder backend `wasm` (default), `native` (node-av) or `auto`; or `REACTOR_FRAMES_ENCODER`. */
  encoder?: "wasm" | "native" | "auto";
  /** Audio: channels encoded (1 default, or 2); any input is mixed to it. */
  channels?: 1 | 2;
  signal?: AbortSignal;
}

/** Per-frame options of `pushFrame`. */
export interface PushFrameOptions {
  /** Carried in the frame's metadata trailer when the session negotiated trailers (else ignored). */
  userData?: Uint8Array;
  /** Capture time in µs (e.g. `timeMicros()`), carried in the trailer when negotiated. */
  captureTimeUs?: bigint | number;
  /** Copy the pixels instead of transferring the buffer, so the caller may keep using it. */
  copy?: boolean;
}

/** Where a publisher is. */
export type PublisherState = "published" | "suspended" | "unpublished";

/** Why a pushed frame was not sent. */
export interface PublisherDrops {
  /** `latest`: replaced by a newer frame while the encoder was busy. */
  replaced: number;
  /** `block`: more than the queue bound waited (a caller that never awaits). */
  overflow: number;
  /** The encoder failed on it. */
  error: number;
  /** Pushed while no connection carried the track (after a drop, before re-publishing). */
  disconnected: number;
  /** Waiting when the publisher closed. */
  closed: number;
}

/** Counters of a publisher, all connections. */
export interface PublisherStats {
  track: string;
  kind: "video" | "audio";
  state: PublisherState;
  pushed: number;
  encoded: number;
  /** Frames (video) or 20 ms packets (audio) written to the connection. */
  sent: number;
  dropped: PublisherDrops;
  keyframes: number;
  /** PLI/FIR received from the peer. */
  keyframeRequests: number;
  /** Output bitrate over the last second, bits/s. */
  bitrate: number;
  /** The encoder's current target (after adaptation), bits/s. */
  targetBitrate: number;
  /** Mean worker time per frame, ms. */
  encodeMs: number;
  convertMs: number;
  packets: number;
  bytes: number;
  /** Connections this track was published on. */
  connections: number;
  width?: number;
  height?: number;
  backend?: string;
}

/** The session side a publisher calls back into. */
export interface PublisherHost {
  /** Releases the slot (`unpublish_track`) and forgets the publisher. */
  unpublish(publisher: Publisher): Promise<void>;
  reportError(error: ReactorError): void;
  logger: Logger;
}

/** A connection's sender for this track plus what the session negotiated. */
export interface PublisherBinding extends MediaSenderBinding {
  /** Metadata trailers were negotiated (the offer carried the attribute and the answer echoed it). */
  frameMetadata: boolean;
}

type Encoder = { kind: "video"; encoder: VideoEncoder } | { kind: "audio"; encoder: AudioEncoder };

interface VideoTag {
  userData?: Uint8Array;
  captureTimeUs?: bigint;
}

/** See the file comment. Obtain one with `reactor.track(name).publish()`. */
export class Publisher implements AsyncDisposable {
  private stateValue: PublisherState = "suspended";
  private writer: RtpWriter | undefined;
  private frameMetadata = false;
  private nextFrameId = 1n;
  private pictureId = Math.floor(Math.random() * 0x8000);
  private bitrateCap = Number.POSITIVE_INFINITY;
  private readonly offs: Array<() => void> = [];
  private readonly counters = {
    sent: 0,
    disconnected: 0,
    keyframeRequests: 0,
    packets: 0,
    bytes: 0,
    connections: 0,
  };

  /** @internal created by the session. */
  constructor(
    readonly name: string,
    private readonly media: Encoder,
    private readonly host: PublisherHost,
    private readonly targetBitrate: number | undefined,
  ) {
    if (media.kind === "video") {
      this.offs.push(
        media.encoder.onEncoded((picture) => this.sendPicture(picture)),
        media.encoder.onError((error) => host.reportError(error)),
      );
    } else {
      this.offs.push(
        media.encoder.onPacket((packet) => this.sendAudio(packet)),
        media.encoder.onError((error) => host.reportError(error)),
      );
    }
  }

  /** `video` or `audio`. */
  get kind(): "video" | "audio" {
    return this.media.kind;
  }

  /** `published` while a connection carries the track, `suspended` between connections, `unpublished` at the end. */
  get state(): PublisherState {
    return this.stateValue;
  }

  /** True while the track is published on the current connection. */
  get published(): boolean {
    return this.stateValue === "published";
  }

  /**
   * Pushes one frame: a video frame `{data, width, height, format}` (`rgb24`, `rgba` or `i420`;
   * a frame received with `onFrame` can be pushed back unchanged) or, on an audio track,
   * `{data: Int16Array, sampleRate, channels}` (any rate and channel count; resampled to 48 kHz).
   * The video buffer is transferred to the encoder thread (detached here) unless `copy` is set or
   * the view does not cover its whole buffer, when it is copied into a pooled buffer (see
   * {@link Publisher.buffer}). Throws (and emits) INVALID_ARGUMENT for a
   * malformed frame or when the track is not published, with nothing sent. With `block`
   * backpressure the promise settles when the encoder took the frame.
   */
  pushFrame(frame: VideoInput | AudioInput, options?: PushFrameOptions): Promise<void> {
    try {
      if (this.stateValue === "unpublished") {
        throw reactorError("INVALID_ARGUMENT", `Track '${this.name}' is not published: call publish() first`);
      }
      if (this.media.kind === "audio") {
        if (this.stateValue !== "published") {
          this.counters.disconnected++;
          return Promise.resolve();
        }
        this.media.encoder.push(frame as AudioInput);
        return Promise.resolve();
      }
      const tag = options && metadataTag(options);
      if (this.stateValue !== "published") {
        // Still validated: a bad frame is a bad frame, connected or not.
        this.media.encoder.validate(frame as VideoInput);
        this.counters.disconnected++;
        return Promise.resolve();
      }
      return this.media.encoder.push(frame as VideoInput, options, tag);
    } catch (error) {
      const typed = error as ReactorError;
      this.host.reportError(typed);
      throw typed;
    }
  }

  /**
   * Video: a buffer for one `width`×`height` picture in `format` (default `rgb24`) to fill and
   * push, taken from the buffers the encoder worker handed back after encoding. A producer that
   * renders into these pushes without allocating pixel memory per frame (and without a copy:
   * pushing transfers the buffer to the encoder; do not touch it afterwards). Throws
   * INVALID_ARGUMENT on an audio track or for a bad size or format.
   */
  buffer(width: number, height: number, format: VideoInput["format"] = "rgb24"): Uint8Array {
    if (this.media.kind !== "video") {
      throw reactorError("INVALID_ARGUMENT", `Track '${this.name}' is an audio track: buffer() is for video pictures`);
    }
    return this.media.encoder.buffer(width, height, format);
  }

  /** Releases the track (`unpublish_track`), stops its encoder worker. Idempotent. */
  unpublish(): Promise<void> {
    return this.host.unpublish(this);
  }

  /** A snapshot of the counters. */
  stats(): PublisherStats {
    const base = {
      track: this.name,
      kind: this.media.kind,
      state: this.stateValue,
      sent: this.counters.sent,
      keyframeRequests: this.counters.keyframeRequests,
      packets: this.counters.packets + (this.writer?.stats.packets ?? 0),
      bytes: this.counters.bytes + (this.writer?.stats.bytes ?? 0),
      connections: this.counters.connections,
    };
    if (this.media.kind === "video") {
      const s = this.media.encoder.stats();
      return {
        ...base,
        pushed: s.pushed + this.counters.disconnected,
        encoded: s.encoded,
        dropped: { ...s.dropped, disconnected: this.counters.disconnected },
        keyframes: s.keyframes,
        bitrate: s.bitrate,
        targetBitrate: s.targetBitrate,
        encodeMs: s.encodeMs,
        convertMs: s.convertMs,
        width: s.width,
        height: s.height,
        backend: s.backend,
      };
    }
    const s = this.media.encoder.stats();
    return {
      ...base,
      pushed: s.pushed + this.counters.disconnected,
      encoded: s.packets,
      dropped: {
        replaced: 0,
        overflow: s.dropped.overflow,
        error: s.dropped.error,
        closed: s.dropped.closed,
        disconnected: this.counters.disconnected,
      },
      keyframes: 0,
      bitrate: 0,
      targetBitrate: this.targetBitrate ?? 0,
      encodeMs: s.encodeMs,
      convertMs: 0,
    };
  }

  /** Unpublishes. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.unpublish();
  }

  /** @internal Thread id of the encoder worker (tests check it goes away). */
  get encoderThreadId(): number {
    return this.media.encoder.threadId;
  }

  /** @internal The session published the track on a connection: start sending there. */
  bind(binding: PublisherBinding): void {
    this.unbind();
    this.counters.connections++;
    this.frameMetadata = binding.frameMetadata;
    this.writer = new RtpWriter(
      binding,
      {
        keyframeRequested: () => {
          this.counters.keyframeRequests++;
          if (this.media.kind === "video") this.media.encoder.requestKeyframe();
        },
        feedback: (feedback) => this.adapt(feedback),
      },
      this.host.logger,
    );
    this.updatePacing();
    // A new receiver starts decoding at a keyframe.
    if (this.media.kind === "video") this.media.encoder.requestKeyframe();
    this.stateValue = "published";
  }

  /** @internal The connection went away: keep the encoder, stop sending. */
  unbind(): void {
    const writer = this.writer;
    if (!writer) return;
    this.writer = undefined;
    this.counters.packets += writer.stats.packets;
    this.counters.bytes += writer.stats.bytes;
    writer.close();
    if (this.stateValue === "published") this.stateValue = "suspended";
  }

  /** @internal Ends the publisher: stops sending and the encoder worker (idempotent). */
  async end(): Promise<void> {
    if (this.stateValue === "unpublished") return;
    this.unbind();
    this.stateValue = "unpublished";
    for (const off of this.offs.splice(0)) off();
    await this.media.encoder.close();
  }

  private sendPicture(picture: EncodedPicture): void {
    const writer = this.writer;
    if (!writer) {
      this.counters.disconnected++;
      return;
    }
    let data = picture.data;
    if (this.frameMetadata) {
      const tag = picture.tag as VideoTag | undefined;
      data = appendFrameMetadata(data, {
        frameId: this.nextFrameId++,
        ...(tag?.captureTimeUs !== undefined && { captureTimeUs: tag.captureTimeUs }),
        ...(tag?.userData !== undefined && { userData: tag.userData }),
      });
    }
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    writer.writeFrame(packetizeVp8(data, this.pictureId, writer.maxPayloadBytes), picture.pts90k);
    this.counters.sent++;
  }

  private sendAudio(packet: EncodedAudioPacket): void {
    const writer = this.writer;
    if (!writer) {
      this.counters.disconnected++;
      return;
    }
    writer.writeFrame([packet.data], packet.pts48k, false);
    this.counters.sent++;
  }

  private adapt(feedback: ReceiverFeedback): void {
    if (this.media.kind !== "video") return;
    const stats = this.media.encoder.stats();
    const target = stats.configuredBitrate;
    const current = Number.isFinite(this.bitrateCap) ? this.bitrateCap : target;
    this.bitrateCap = nextBitrateCap(current, target, feedback);
    this.media.encoder.setBitrateCap(this.bitrateCap);
    this.updatePacing();
  }

  private updatePacing(): void {
    if (!this.writer || this.media.kind !== "video") return;
    const target = this.media.encoder.stats().targetBitrate;
    this.writer.paceBps = Math.max(PACING_MIN_BPS, target * PACING_FACTOR);
  }
}

function metadataTag(options: PushFrameOptions): VideoTag | undefined {
  const { userData, captureTimeUs } = options;
  if (userData === undefined && captureTimeUs === undefined) return undefined;
  if (userData !== undefined && !(userData instanceof Uint8Array)) {
    throw reactorError("INVALID_ARGUMENT", "pushFrame userData must be a Uint8Array");
  }
  if (userData && userData.length > FRAME_METADATA_MAX_USER_DATA_BYTES) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `pushFrame userData is ${userData.length} bytes; at most ${FRAME_METADATA_MAX_USER_DATA_BYTES} fit a trailer`,
    );
  }
  let capture: bigint | undefined;
  if (captureTimeUs !== undefined) {
    const ok =
      typeof captureTimeUs === "bigint"
        ? captureTimeUs >= 0n
        : Number.isSafeInteger(captureTimeUs) && captureTimeUs >= 0;
    if (!ok)
      throw reactorError(
        "INVALID_ARGUMENT",
        `pushFrame captureTimeUs must be a non-negative integer, got ${String(captureTimeUs)}`,
      );
    capture = BigInt(captureTimeUs);
  }
  return { ...(userData && { userData }), ...(capture !== undefined && { captureTimeUs: capture }) };
}
