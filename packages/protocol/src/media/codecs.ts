/**
 * The codecs every peer of this project negotiates (docs/protocol.md §4, §6), set up in one
 * place: the client's offer, the testkit's answerer and the test and benchmark peers all build
 * their WebRTC stack's codec list from {@link rtpCodecs}.
 */
import { OPUS_CODEC, VP8_CODEC } from "../constants.js";

/** One codec as plain data, the shape werift's `RTCRtpCodecParameters` (and most stacks) take. */
export interface RtpCodecInit {
  mimeType: string;
  clockRate: number;
  channels?: number;
  rtcpFeedback?: Array<{ type: string; parameter?: string }>;
}

/**
 * Fresh, mutable copies of the negotiated codecs (video: {@link VP8_CODEC}, the only one the
 * frames package decodes; audio: {@link OPUS_CODEC}), each passed through `make`, e.g.
 * `rtpCodecs((c) => new RTCRtpCodecParameters(c))` for werift's `codecs` option.
 */
export function rtpCodecs<T>(make: (codec: RtpCodecInit) => T): { video: T[]; audio: T[] } {
  return {
    video: [make({ ...VP8_CODEC, rtcpFeedback: VP8_CODEC.rtcpFeedback.map((f) => ({ ...f })) })],
    audio: [make({ ...OPUS_CODEC })],
  };
}
