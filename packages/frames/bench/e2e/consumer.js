// What the benchmark's receiving process does with one stream: werift track → VideoReceiver, PLIs
// back through werift, and a consumer that checks every delivered frame's embedded number and
// colours and records latencies. Time spent checking is measured so it can be taken out of the
// main-thread and CPU figures (it is the benchmark's work, not the receiver's).
import { performance } from "node:perf_hooks";
import { FrameNumberUnwrapper, maxPatchError, readPattern } from "@reactor-node/testkit";
import { createVideoReceiver } from "../../dist/index.js";

/** Per-channel tolerance of the colour patches after VP8 and conversion. */
export const PATCH_TOLERANCE = 40;

const now = () => performance.timeOrigin + performance.now();

/**
 * Feeds `stream.track` into a new VideoReceiver. Returns the receiver and live counters:
 * `frames` delivered, `latencies` (ms, last RTP packet of a frame → frame callback), `checkMs`
 * (pattern reading), `pushMs` (synchronous time inside pushRtp), frame-number continuity and
 * arrival times of the first and last frame.
 */
export function consume(stream, receiverOptions = {}) {
  const video = createVideoReceiver(receiverOptions);
  const unwrapper = new FrameNumberUnwrapper();
  const m = {
    video,
    frames: 0,
    boundaryFrames: 0,
    unreadable: 0,
    badColour: 0,
    worstPatchError: 0,
    firstNumber: undefined,
    lastNumber: undefined,
    unwrapper,
    latencies: [],
    checkMs: 0,
    pushMs: 0,
    firstAt: undefined,
    lastAt: undefined,
    /** Frames delivered in the same synchronous dispatch as the previous one (one decode batch). */
    batched: 0,
  };
  let inDispatch = false;
  const sub = stream.track.onReceiveRtp.subscribe((rtp) => {
    const t0 = performance.now();
    video.pushRtp(rtp, performance.timeOrigin + t0);
    m.pushMs += performance.now() - t0;
  });
  video.onKeyframeNeeded(() => stream.sendPli());
  video.onFrame((frame) => {
    const at = now();
    m.latencies.push(at - frame.receivedAt);
    m.firstAt ??= at;
    m.lastAt = at;
    m.frames++;
    // A batch's frames are dispatched in one synchronous loop; under policy `latest` all but the
    // newest of them would have been dropped as stale.
    if (inDispatch) m.batched++;
    else {
      inDispatch = true;
      queueMicrotask(() => {
        inDispatch = false;
      });
    }
    const t0 = performance.now();
    const reading = readPattern(frame.data, frame.width, frame.height);
    if (!reading) {
      // The black boundary frame starts every source stream; anything else unreadable is a fault.
      if (m.frames === 1) m.boundaryFrames++;
      else m.unreadable++;
    } else {
      const n = unwrapper.push(reading.frameNumber);
      m.firstNumber ??= n;
      m.lastNumber = n;
      const error = maxPatchError(reading);
      m.worstPatchError = Math.max(m.worstPatchError, error);
      if (error > PATCH_TOLERANCE) m.badColour++;
    }
    m.checkMs += performance.now() - t0;
    video.release(frame);
  });
  m.detach = async () => {
    sub.unSubscribe();
    await video.flush();
    await video.close();
  };
  return m;
}

/** Subscribes to the track without decoding anything: what werift alone costs. */
export function discard(stream) {
  let frames = 0;
  const sub = stream.track.onReceiveRtp.subscribe((rtp) => {
    if (rtp.header.marker) frames++;
  });
  return {
    /** Frames seen (RTP packets with the marker bit). */
    get frames() {
      return frames;
    },
    detach: async () => sub.unSubscribe(),
  };
}

/** The q-quantile (0..1) of `values` (nearest rank). */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Frames checked in order: every number once, none missing, none late, colours in tolerance. */
export function inOrder(m) {
  return m.unwrapper.lost === 0 && m.unwrapper.outOfOrder === 0 && m.unreadable === 0 && m.badColour === 0;
}

/** Drops of every reason in the receiver's counters. */
export function totalDropped(stats) {
  const d = stats.dropped;
  return d.stale + d.queueFull + d.beforeKeyframe + d.decodeError;
}
