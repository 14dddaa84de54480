/** One compressed VP8 frame, ready for the decoder. */
export interface EncodedVideoFrame {
  /** The VP8 frame bytes. The receiver copies them before use, so callers may reuse the buffer. */
  data: Uint8Array;
  /** Presentation time in ms (RTP 90 kHz clock, unwrapped). */
  timestamp: number;
  /** True for a keyframe; detected from the VP8 frame tag when omitted. */
  keyframe?: boolean;
  /** When the frame (its last RTP packet) arrived, ms since the Unix epoch; defaults to now. */
  receivedAt?: number;
}
