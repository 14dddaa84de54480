/**
 * One published video track as the echo model receives it: VP8 frames reassembled from the
 * publisher's RTP (a sequence gap drops the frame and asks the publisher for a keyframe),
 * decoded in a worker of their own to check the test pattern they carry, and echoed on the
 * model's video output. Echo is **forwarding** while the model shows no effect (the published
 * bytes go out unchanged: the lowest latency and CPU, what an identity model amounts to) and
 * **re-encoding** with the effect applied while one is selected (decoded, effect on the scene
 * rows, encoded live in the worker).
 */
import { Worker } from "node:worker_threads";
import { type FrameMetadata, isVp8Keyframe, stripFrameMetadata } from "@reactor-node/protocol";
import { type RtpPacket, Vp8RtpPayload } from "werift";
import type { Logger } from "../logger.js";
import { LOOP_FRAMES } from "../video/frame-number.js";
import type { EchoEffect, EchoRequest, EchoResponse } from "./echo-protocol.js";
import { newPublishedRecord, PUBLISHED_MAX_SIZES, type PublishedRecord } from "./published-record.js";

/** Largest VP8 frame accepted from a publisher (a hostile one must not grow memory without bound). */
const PUBLISHED_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/**
 * Frames the decode worker may be behind before decoding skips to the next keyframe (forwarding
 * goes on meanwhile): one second at 30 fps, the worker's start-up included.
 */
const PUBLISHED_MAX_DECODE_BACKLOG = 30;
/** Least time between two keyframe requests to the publisher. */
const PUBLISHED_PLI_MIN_INTERVAL_MS = 300;
/** How often the record is re-reported while media flows. */
export const PUBLISHED_REPORT_INTERVAL_MS = 250;

/** One echoed frame for the model's output. */
export interface EchoFrame {
  data: Uint8Array;
  keyframe: boolean;
  /** The output switches to a new stream here: receivers decode again from the next keyframe. */
  restart: boolean;
  metadata?: FrameMetadata;
}

/** What a published video track needs from its session. */
export interface PublishedVideoHost {
  logger: Logger;
  /** Trailers were negotiated on the publisher's connection. */
  frameMetadata: boolean;
  /** The model's effect now; `undefined` = none (forward). */
  effect(): Omit<EchoEffect, "keyframe"> | undefined;
  /** A receiver of the output needs a keyframe (consumed). */
  takeKeyframeWanted(): boolean;
  /** Asks the publisher for a keyframe (RTCP PLI). */
  requestKeyframe(): void;
  /** Sends one frame on the model's video output. */
  emit(frame: EchoFrame): void;
  report(record: PublishedRecord): void;
}

/** See the file comment. */
export class PublishedVideo {
  readonly record: PublishedRecord;
  private worker: Worker | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private lastSeq = -1;
  /** Network: the stream resumes at the next keyframe (start, loss). */
  private waitKeyframe = true;
  /** Decoding: the decoder resumes at the next keyframe (backlog overflow, decode error). */
  private decodeWaitKeyframe = true;
  private lastPliAt = -Infinity;
  private nextId = 1;
  private backlog = 0;
  private lastReport = 0;
  private reportTimer: NodeJS.Timeout | undefined;
  private lastPattern: number | undefined;
  private closed = false;
  /** The output is re-encoded from the previous frame on (so it must restart at a keyframe when forwarding resumes). */
  private lastMode: "forward" | "reencode" | "none" = "none";

  constructor(
    private readonly host: PublishedVideoHost,
    sessionId: string,
    connectionId: number,
    track: string,
  ) {
    this.record = newPublishedRecord({ sessionId, connectionId, track, kind: "video", mode: "none" });
    this.report(true);
    // Loads libav.js before the first frame arrives.
    this.ensureWorker();
  }

  /** Feeds one RTP packet of the published track. Never throws. */
  pushRtp(packet: RtpPacket): void {
    if (this.closed) return;
    const seq = packet.header.sequenceNumber;
    if (this.lastSeq >= 0 && seq !== ((this.lastSeq + 1) & 0xffff)) {
      const gap = (seq - this.lastSeq + 0x10000) & 0xffff;
      if (gap === 0 || gap > 0x8000) return; // duplicate or late: ignore
      this.record.lost++;
      this.resync();
    }
    this.lastSeq = seq;
    let vp8: Vp8RtpPayload;
    try {
      vp8 = Vp8RtpPayload.deSerialize(packet.payload);
    } catch {
      this.resync();
      return;
    }
    if (vp8.sBit === 1 && vp8.pid === 0) {
      this.parts = [];
      this.size = 0;
      this.inFrame = true;
    } else if (!this.inFrame) {
      return;
    }
    this.size += vp8.payload.length;
    if (this.size > PUBLISHED_MAX_FRAME_BYTES) {
      this.resync();
      return;
    }
    this.parts.push(vp8.payload);
    if (!packet.header.marker) return;
    const frame = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.onFrame(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  /** Stops the worker; the record is reported ended (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reportTimer) clearTimeout(this.reportTimer);
    this.record.endedAt = Date.now();
    this.report(true);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private resync(): void {
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    this.waitKeyframe = true;
    this.askKeyframe();
  }

  private askKeyframe(): void {
    const now = performance.now();
    if (now - this.lastPliAt < PUBLISHED_PLI_MIN_INTERVAL_MS) return;
    this.lastPliAt = now;
    this.host.requestKeyframe();
  }

  private onFrame(raw: Uint8Array): void {
    let payload = raw;
    let metadata: FrameMetadata | undefined;
    if (this.host.frameMetadata) {
      const stripped = stripFrameMetadata(raw);
      payload = stripped.payload;
      metadata = stripped.metadata;
    }
    const keyframe = isVp8Keyframe(payload);
    this.record.frames++;
    this.record.bytes += payload.length;
    if (keyframe) {
      this.record.keyframes++;
      const size = keyframeSize(payload);
      if (size) this.noteSize(size);
      this.waitKeyframe = false;
    }
    if (this.waitKeyframe) {
      this.askKeyframe();
      return;
    }
    const effect = this.host.effect();
    const wanted = this.host.takeKeyframeWanted();
    if (!effect) {
      // Forwarding: receivers that need a keyframe skip deltas (per connection) until the
      // publisher's next one, which is asked for; so does everyone after re-encoded frames.
      const restart = this.lastMode !== "forward";
      if ((wanted || restart) && !keyframe) this.askKeyframe();
      this.host.emit({ data: payload, keyframe, restart, ...(metadata && { metadata }) });
      this.record.echoed++;
      this.lastMode = "forward";
      this.record.mode = "forward";
    }
    if (keyframe) this.decodeWaitKeyframe = false;
    if (!this.decodeWaitKeyframe && this.backlog >= PUBLISHED_MAX_DECODE_BACKLOG) {
      this.decodeWaitKeyframe = true;
      this.ensureWorker().postMessage({ type: "reset" } satisfies EchoRequest);
    }
    if (this.decodeWaitKeyframe) {
      this.record.decodeSkipped++;
      this.askKeyframe();
    } else {
      this.decode(payload, effect && { ...effect, keyframe: wanted || this.lastMode !== "reencode" }, metadata);
    }
    this.report(keyframe);
  }

  private decode(payload: Uint8Array, effect: EchoEffect | undefined, metadata: FrameMetadata | undefined): void {
    const id = this.nextId++;
    this.backlog++;
    const data = payload.slice();
    const worker = this.ensureWorker();
    const restart = effect !== undefined && this.lastMode !== "reencode";
    if (effect) {
      this.lastMode = "reencode";
      this.record.mode = "reencode";
    }
    const pending = { effect: effect !== undefined, restart, metadata };
    this.pending.set(id, pending);
    worker.postMessage({ type: "frame", id, data, ...(effect && { effect }) } satisfies EchoRequest, [
      data.buffer as ArrayBuffer,
    ]);
  }

  private readonly pending = new Map<
    number,
    { effect: boolean; restart: boolean; metadata: FrameMetadata | undefined }
  >();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(echoWorkerUrl(), { name: "reactor-testkit-echo" });
    worker.on("message", (message: EchoResponse) => this.onResult(message));
    worker.on("error", (error) => this.host.logger.warn({ err: error }, "echo worker failed"));
    worker.on("exit", () => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.backlog = 0;
        this.pending.clear();
        this.decodeWaitKeyframe = true;
      }
    });
    this.worker = worker;
    return worker;
  }

  private onResult(message: EchoResponse): void {
    if (this.closed) return;
    this.backlog = Math.max(0, this.backlog - 1);
    const pending = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.type === "error") {
      this.record.decodeErrors++;
      this.decodeWaitKeyframe = true;
      this.askKeyframe();
      this.report(false);
      return;
    }
    this.noteSize({ width: message.width, height: message.height });
    if (message.pattern) {
      const p = this.record.pattern;
      const n = message.pattern.frameNumber;
      if (this.lastPattern !== undefined) {
        const step = (n - this.lastPattern + LOOP_FRAMES) % LOOP_FRAMES;
        if (step === 0 || step > LOOP_FRAMES / 2) p.outOfOrder++;
      }
      this.lastPattern = n;
      p.frames++;
      p.first ??= n;
      p.last = n;
      p.maxPatchError = Math.max(p.maxPatchError, message.pattern.maxPatchError);
    }
    if (message.encoded && pending?.effect) {
      this.host.emit({
        data: message.encoded.data,
        keyframe: message.encoded.keyframe,
        restart: pending.restart,
        ...(pending.metadata && { metadata: pending.metadata }),
      });
      this.record.echoed++;
    }
    this.report(false);
  }

  private noteSize(size: { width: number; height: number }): void {
    const label = `${size.width}x${size.height}`;
    const sizes = this.record.sizes;
    if (sizes[sizes.length - 1] !== label && sizes.length < PUBLISHED_MAX_SIZES) sizes.push(label);
  }

  // Throttled: at most one report per interval while media flows, plus a trailing one.
  private report(now: boolean): void {
    this.record.updatedAt = Date.now();
    const due = performance.now() - this.lastReport >= PUBLISHED_REPORT_INTERVAL_MS;
    if (now || due) {
      if (this.reportTimer) clearTimeout(this.reportTimer);
      this.reportTimer = undefined;
      this.lastReport = performance.now();
      this.host.report(structuredClone(this.record));
      return;
    }
    this.reportTimer ??= setTimeout(() => {
      this.reportTimer = undefined;
      if (!this.closed) this.report(true);
    }, PUBLISHED_REPORT_INTERVAL_MS);
  }
}

/** Width and height of a VP8 keyframe (RFC 6386 §9.1), or undefined. */
function keyframeSize(frame: Uint8Array): { width: number; height: number } | undefined {
  if (frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: (frame[6]! | (frame[7]! << 8)) & 0x3fff, height: (frame[8]! | (frame[9]! << 8)) & 0x3fff };
}

function echoWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../dist/gpu/echo-worker.js", here) : new URL("./echo-worker.js", here);
}
