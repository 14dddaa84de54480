// Shared by both sides of the end-to-end benchmark: the werift configuration and the IPC messages.
//
// receiver → sender: {type:"open", id, width, height, fps, mode:"source"|"replay"}
//                    {type:"answer", id, sdp} · {type:"start"} · {type:"stop"} · {type:"close"}
// sender → receiver: {type:"hello"} · {type:"offer", id, sdp} · {type:"ready", id}
//                    {type:"stopped", streams:[{id, framesSent, firstNumber, lastNumber, plis, …}], cpu}
//                    {type:"closed"} · {type:"error", message}
import { RTCRtpCodecParameters } from "werift";

/** VP8 with NACK and PLI feedback, loopback IPv4 only (a fresh object per peer). */
export function peerConfig() {
  return {
    iceUseIpv6: false,
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: "video/VP8",
          clockRate: 90_000,
          rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }],
        }),
      ],
    },
  };
}
