// Shared by both sides of the end-to-end benchmark: the werift configuration and the IPC messages.
//
// receiver → sender: {type:"open", id, width, height, fps, mode:"source"|"replay"}
//                    {type:"answer", id, sdp} · {type:"start"} · {type:"stop"} · {type:"close"}
// sender → receiver: {type:"hello"} · {type:"offer", id, sdp} · {type:"ready", id}
//                    {type:"stopped", streams:[{id, framesSent, firstNumber, lastNumber, plis, …}], cpu}
//                    {type:"closed"} · {type:"error", message}
import { rtpCodecs } from "@reactor-node/protocol";
import { RTCRtpCodecParameters } from "werift";

/** The protocol's codecs (VP8 with NACK/PLI/FIR, Opus), loopback IPv4 only (a fresh object per peer). */
export function peerConfig() {
  return {
    iceUseIpv6: false,
    codecs: rtpCodecs((codec) => new RTCRtpCodecParameters(codec)),
  };
}
