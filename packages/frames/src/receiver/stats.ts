import type { DropReason } from "../backpressure/policy-queue.js";

/** Counters of a video receiver. Every encoded frame received ends up decoded or dropped. */
export interface VideoReceiverStats {
  /** Encoded frames received (assembled from RTP or pushed). */
  received: number;
  /** Frames the decoder produced a picture for. */
  decoded: number;
  /** Frame handoffs to consumers (a callback call counts once per frame; each iterator counts its own). */
  delivered: number;
  /**
   * Frames not delivered, by reason: `stale` (superseded by a newer frame under `latest`, or
   * decoded with no consumer), `queueFull` (oldest dropped by `queue`), `beforeKeyframe` (encoded
   * frames dropped after loss/start until a keyframe), `decodeError` (rejected by the decoder or
   * lost in a worker crash).
   */
  dropped: Record<DropReason, number>;
  /** Keyframe requests emitted (each should become an RTCP PLI). */
  keyframeRequests: number;
  /**
   * RTP packets the reorder buffer gave up on (or that carried no usable VP8 payload). A gap counts
   * once, and at most the reorder window: a jump further than that is a resync, not a loss.
   */
  packetsLost: number;
  /**
   * RTP packets discarded before reassembly: duplicates, packets arriving after their place was
   * given up, packets that are not part of the stream (another SSRC, a far-off sequence number not
   * continued by the next packet), and packets held behind a gap when the stream resynchronised.
   */
  packetsDiscarded: number;
  /** Times the RTP stream started over on a new sequence (sender restart, SSRC change). */
  resyncs: number;
  /** Decoder worker restarts after crashes. */
  workerRestarts: number;
  /** Encoded frames waiting for the decoder (grows only under `block` or when decoding is slower than arrival). */
  pendingEncoded: number;
  /**
   * Memory the decoder worker holds for this stream after the last batch, bytes: the WASM decoder's
   * heap, the conversion kernel's memory and pooled output buffers (the native decoder's own
   * buffers are not measured). Drops again when a keyframe is smaller than the largest so far.
   */
  decoderMemoryBytes: number;
  /** Worker-side time spent in the decoder and in pixel conversion, total ms. */
  decodeMs: number;
  convertMs: number;
}

/** A zeroed stats object. */
export function emptyStats(): VideoReceiverStats {
  return {
    received: 0,
    decoded: 0,
    delivered: 0,
    dropped: { stale: 0, queueFull: 0, beforeKeyframe: 0, decodeError: 0 },
    keyframeRequests: 0,
    packetsLost: 0,
    packetsDiscarded: 0,
    resyncs: 0,
    workerRestarts: 0,
    pendingEncoded: 0,
    decoderMemoryBytes: 0,
    decodeMs: 0,
    convertMs: 0,
  };
}
