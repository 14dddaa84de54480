/**
 * A track of the session (docs/protocol.md §4, §6), stable across connections: the user's frame
 * callbacks, iterators and pause intent live here and are re-attached to each new connection's
 * media once, so a reconnect never duplicates handlers. Decoding starts lazily on the first
 * frame subscriber (see `frame-source.ts`): video tracks deliver RGB frames, audio tracks PCM.
 */
import {
  type AudioFrame,
  type ReactorError,
  type RgbFrame,
  reactorError,
  type TrackInfo,
} from "@reactor-node/protocol";
import type { MediaStreamTrack, RtpPacket } from "werift";
import { listenerError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Publisher, PublishOptions } from "../publish/publisher.js";
import { type FrameIteratorHost, TrackFrameIterator } from "./frame-iterator.js";
import {
  type AudioOutputOptions,
  type FrameIteratorOptions,
  type FrameSource,
  type FrameSourceStats,
  openAudioSource,
  openVideoSource,
} from "./frame-source.js";

/** What a track delivers: RGB frames for video, PCM frames for audio. */
export type MediaFrame = RgbFrame | AudioFrame;

/** What a track needs from the session that owns it. */
export interface TrackHost {
  /** Sends a `pause_track`/`resume_track` notification on `control`; false when not connected. */
  sendTrackControl(event: "pause_track" | "resume_track", name: string): boolean;
  /** True while a connection exists on which this track's pause gate is closed (never resumed, or paused). */
  gateClosed(name: string): boolean;
  reportError(error: ReactorError): void;
  audioOutput: AudioOutputOptions;
  logger: Logger;
  /** Publishes an input track (see `publish/publishing.ts`). */
  publish(info: TrackInfo, options: PublishOptions): Promise<Publisher>;
}

/** The media of one connection that a track is bound to. */
export interface TrackBinding {
  track: MediaStreamTrack;
  /** Sends an RTCP PLI for `mediaSsrc` on this connection. */
  requestKeyframe(mediaSsrc: number): void;
  /** The connection negotiated frame-metadata trailers: strip them and surface `frame.metadata`. */
  frameMetadata: boolean;
}

/** Counters of a track. */
export interface TrackStats {
  /** RTP packets received on this track, all connections. */
  rtpPackets: number;
  /** Connections this track was received on. */
  connections: number;
  /** Frames received, all connections (video: RTP packets ending a frame, i.e. with the marker bit; audio: packets). */
  framesReceived: number;
  /** Frames handed to `onFrame` callbacks. */
  framesDelivered: number;
  /** Decoder counters of the current connection's frame source, when decoding. */
  decoder?: FrameSourceStats;
}

/** A session track: model output (`recvonly`) or client input (`sendonly`). */
export class Track {
  private info: TrackInfo;
  private readonly callbacks = new Set<(frame: MediaFrame) => void>();
  private readonly rtpCallbacks = new Set<(packet: RtpPacket) => void>();
  private readonly iterators = new Set<TrackFrameIterator<MediaFrame>>();
  private binding: { binding: TrackBinding; off: () => void } | undefined;
  private source: { source: FrameSource<MediaFrame>; offs: Array<() => void> } | undefined;
  private changeWaiters: Array<(alive: boolean) => void> = [];
  private userPaused = false;
  private counters = { rtpPackets: 0, connections: 0, framesReceived: 0, framesDelivered: 0 };
  /** Frames received on the current binding (for per-connection statistics). */
  private bindingFrames = 0;

  /**
   * Created by the session; use `reactor.track(name)`.
   * @internal
   */
  constructor(
    info: TrackInfo,
    private readonly host: TrackHost,
  ) {
    this.info = { ...info };
  }

  /** The capability track name, e.g. `main_video`. */
  get name(): string {
    return this.info.name;
  }

  /** `video` or `audio`. */
  get kind(): TrackInfo["kind"] {
    return this.info.kind;
  }

  /** Client-perspective direction: `recvonly` = model output. */
  get direction(): TrackInfo["direction"] {
    return this.info.direction;
  }

  /** True while media of the current connection is attached. */
  get active(): boolean {
    return this.binding !== undefined;
  }

  /**
   * True while the model is not sending this track because of its pause gate: after `pause()`
   * until `resume()`, and on a connection where it was not resumed yet (with
   * `autoResumeTracks: false`, until you call `resume()`).
   */
  get paused(): boolean {
    return this.userPaused || (this.info.direction === "recvonly" && this.host.gateClosed(this.name));
  }

  /** True after `pause()` until `resume()`: the intent automatic resumes respect, on every connection. */
  get pauseRequested(): boolean {
    return this.userPaused;
  }

  /**
   * Calls `callback` with every decoded frame: on a video track an RGB frame (`height*width*3`
   * bytes), newest-first under load (frames the callback cannot keep up with are dropped, never
   * queued); on an audio track an {@link AudioFrame} of interleaved int16 PCM, every one in order
   * (concealment fills lost packets). Survives reconnects. Returns unsubscribe.
   */
  onFrame<F extends MediaFrame = RgbFrame>(callback: (frame: F) => void): () => void {
    this.requireReceived("onFrame");
    const entry = (frame: MediaFrame): void => callback(frame as F);
    this.callbacks.add(entry);
    this.ensureSource();
    return () => {
      this.callbacks.delete(entry);
    };
  }

  /**
   * Frames as an async iterator with a declared bounded policy (`latest` by default for video,
   * `queue` of one second for audio). Ends on disconnect, session end, abort and `break`;
   * continues across a reconnect. For audio, `track.frames<AudioFrame>()`.
   */
  frames<F extends MediaFrame = RgbFrame>(options: FrameIteratorOptions = {}): AsyncIterableIterator<F> {
    this.requireReceived("frames");
    const host: FrameIteratorHost<MediaFrame> = {
      acquireSource: () => this.ensureSource(),
      nextChange: () => new Promise((resolve) => this.changeWaiters.push(resolve)),
      release: (it) => this.iterators.delete(it),
    };
    const iterator = new TrackFrameIterator<MediaFrame>(host, options);
    this.iterators.add(iterator);
    return iterator as unknown as AsyncIterableIterator<F>;
  }

  /**
   * Hands a frame this track delivered back for reuse once you are done with it (don't touch it
   * afterwards). Optional, but a video frame lives in the decoder's shared frame memory: without
   * it, once the decoder's slots are all held, each 720p frame is a fresh 2.7 MB buffer for the
   * garbage collector. A frame of an earlier connection, or released twice, is ignored.
   */
  release(frame: MediaFrame): void {
    if (typeof frame !== "object" || frame === null || !ArrayBuffer.isView((frame as { data?: unknown }).data)) {
      throw reactorError("INVALID_ARGUMENT", `track('${this.name}').release() expects a frame it delivered`);
    }
    this.source?.source.release(frame);
  }

  /** Raw RTP packets of this track (any kind), e.g. to record or forward. Returns unsubscribe. */
  onRtp(callback: (packet: RtpPacket) => void): () => void {
    const entry = (packet: RtpPacket): void => callback(packet);
    this.rtpCallbacks.add(entry);
    return () => {
      this.rtpCallbacks.delete(entry);
    };
  }

  /** Asks the model to stop sending this track (control `pause_track`). Remembered across reconnects. */
  pause(): void {
    this.requireReceived("pause");
    this.userPaused = true;
    this.host.sendTrackControl("pause_track", this.name);
  }

  /** Asks the model to send this track again (control `resume_track`). */
  resume(): void {
    this.requireReceived("resume");
    this.userPaused = false;
    this.host.sendTrackControl("resume_track", this.name);
  }

  /**
   * Publishes this input (`sendonly`) track: asks the GPU for its publisher slot (control
   * `publish_track`, 10 s timeout) and starts the track's encoder worker. Push frames into the
   * returned {@link Publisher}. Rejects (and emits) INVALID_ARGUMENT for a track that is not an
   * input, NOT_READY before the session is ready, PUBLISH_REFUSED when this client already
   * publishes it or the GPU refuses (another connection holds the slot), TIMEOUT without an answer.
   * Re-published automatically after a reconnect (option `republishOnReconnect` of the Reactor).
   */
  publish(options: PublishOptions = {}): Promise<Publisher> {
    return this.host.publish({ ...this.info }, options);
  }

  /** A snapshot of the counters. */
  stats(): TrackStats {
    return { ...this.counters, ...(this.source && { decoder: this.source.source.stats() }) };
  }

  /** @internal The SSRC and frame count of the current connection's media, while bound. */
  get boundMedia(): { ssrc: number | undefined; frames: number } | undefined {
    return this.binding && { ssrc: this.binding.binding.track.ssrc, frames: this.bindingFrames };
  }

  /**
   * @internal Capabilities (re)announced the track. A placeholder used as a received track before
   * they arrived that turns out to be an input track is never received: its frame subscribers
   * and pause intent are dropped and the misuse is reported (INVALID_ARGUMENT).
   */
  updateInfo(info: TrackInfo): void {
    this.info = { ...info };
    if (info.direction === "recvonly") return;
    const misuse = [
      ...(this.callbacks.size > 0 ? ["onFrame()"] : []),
      ...(this.iterators.size > 0 ? ["frames()"] : []),
      ...(this.userPaused ? ["pause()"] : []),
    ];
    if (misuse.length === 0) return;
    this.callbacks.clear();
    for (const it of [...this.iterators]) void it.return();
    this.iterators.clear();
    this.userPaused = false;
    this.host.reportError(
      reactorError(
        "INVALID_ARGUMENT",
        `track('${this.name}').${misuse.join(", ")} was used before the capabilities arrived, but '${this.name}' is an input (${info.direction}) track: it is never received`,
      ),
    );
  }

  /**
   * Attaches one connection's media (replacing any previous binding).
   * @internal
   */
  bind(binding: TrackBinding): void {
    this.unbind();
    this.counters.connections++;
    this.bindingFrames = 0;
    const sub = binding.track.onReceiveRtp.subscribe((packet) => {
      this.counters.rtpPackets++;
      // A video frame ends with the marker bit (RFC 7741); every Opus packet is one frame.
      if (this.info.kind === "audio" || packet.header.marker) {
        this.counters.framesReceived++;
        this.bindingFrames++;
      }
      for (const cb of [...this.rtpCallbacks]) {
        try {
          cb(packet);
        } catch (error) {
          this.host.reportError(listenerError(error, `RTP callback of '${this.name}'`));
        }
      }
      this.source?.source.pushRtp(packet);
    });
    this.binding = { binding, off: sub.unSubscribe };
    this.ensureSource();
    this.notifyChange(true);
  }

  /** @internal The connection ended: detach its media; callbacks and iterators wait for the next one. */
  unbind(): void {
    if (!this.binding) return;
    this.binding.off();
    this.binding = undefined;
    this.closeSource();
    this.notifyChange(true);
  }

  /** @internal The session ended: detach and end every iterator (callbacks stay for a later connect). */
  end(): void {
    this.unbind();
    for (const it of [...this.iterators]) void it.return();
    this.iterators.clear();
    this.notifyChange(false);
  }

  private ensureSource(): FrameSource<MediaFrame> | undefined {
    if (this.source) return this.source.source;
    const binding = this.binding?.binding;
    if (!binding) return undefined;
    if (this.callbacks.size === 0 && this.iterators.size === 0) return undefined;
    const source: FrameSource<MediaFrame> =
      this.info.kind === "audio"
        ? openAudioSource({ logger: this.host.logger, output: this.host.audioOutput })
        : openVideoSource({ logger: this.host.logger, frameMetadata: binding.frameMetadata === true });
    const offs = [
      source.onKeyframeNeeded(() => {
        const ssrc = binding.track.ssrc;
        if (ssrc !== undefined) binding.requestKeyframe(ssrc);
      }),
      source.onError((error) => this.host.reportError(error)),
      source.onFrame((frame) => {
        for (const cb of [...this.callbacks]) {
          this.counters.framesDelivered++;
          try {
            cb(frame);
          } catch (error) {
            this.host.reportError(listenerError(error, `frame callback of '${this.name}'`));
          }
        }
      }),
    ];
    this.source = { source, offs };
    return source;
  }

  private closeSource(): void {
    const current = this.source;
    if (!current) return;
    this.source = undefined;
    for (const off of current.offs) off();
    current.source
      .close()
      .catch((error: unknown) => this.host.logger.debug({ err: error }, "frame source close failed"));
  }

  private notifyChange(alive: boolean): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = [];
    for (const resolve of waiters) resolve(alive);
  }

  private requireReceived(what: string): void {
    if (this.info.direction !== "recvonly") {
      throw reactorError(
        "INVALID_ARGUMENT",
        `track('${this.name}').${what}() needs a received (recvonly) track; '${this.name}' is an input (${this.info.direction}) track`,
      );
    }
  }
}
