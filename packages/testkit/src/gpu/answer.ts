/**
 * Answering a client's offer the way the runtime does: tracks are matched by mid from the
 * `track_mapping`, client-`recvonly` mids are answered `sendonly` and client-`sendonly` mids
 * `recvonly`; the video codec is VP8 (the only one the synthetic source encodes: werift
 * negotiates it whatever its position in the offer, and rejects a video m-line without VP8);
 * audio is Opus. Browser quirks (telephone-event, PTs outside 96–127, RTX) are tolerated by
 * werift's negotiation, which keeps only configured codecs. The answer carries every server
 * candidate and `a=end-of-candidates` (gathering waited for, bounded).
 */
import {
  DATA_CHANNEL_MAX_MESSAGE_BYTES,
  hasFrameMetadataAttribute,
  reactorError,
  rtpCodecs,
  type TrackMappingEntry,
  withFrameMetadataAttribute,
} from "@reactor-node/protocol";
import { RTCPeerConnection, RTCRtpCodecParameters } from "werift";

/** The codecs a fake GPU peer negotiates: the protocol's list, the client's too. */
function codecs() {
  return rtpCodecs((codec) => new RTCRtpCodecParameters(codec));
}

/** Options of {@link createAnswerer}. */
export interface AnswererOptions {
  /** Never answer a STUN check (the `ice-blackhole` fault). */
  blackhole: boolean;
}

/** A werift peer connection configured as a GPU peer. */
export function createAnswerer(options: AnswererOptions): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: codecs(),
    iceUseIpv6: false,
    // One transport for every m-line: werift leaks the sockets of transports it bundles away.
    bundlePolicy: "max-bundle",
    // The protocol's fallback SCTP message size (werift's default is 64 KiB).
    maxMessageSize: DATA_CHANNEL_MAX_MESSAGE_BYTES,
    ...(options.blackhole && { iceFilterStunResponse: () => false }),
  });
}

/** TEST-NET-3 (RFC 5737): routable nowhere, so checks towards it vanish. */
const BLACKHOLE_ADDRESS = "203.0.113.1";

/** Rewrites every candidate of an answer to an unreachable address (the `ice-blackhole` fault). */
export function blackholeCandidates(sdp: string): string {
  return sdp.replace(/^(a=candidate:\S+ \d+ \S+ \d+ )(\S+)( \d+ typ \S+).*$/gm, `$1${BLACKHOLE_ADDRESS}$3`);
}

/** Removes the client's candidates from an offer (so the blackholed GPU never checks them). */
export function stripCandidates(sdp: string): string {
  return sdp.replace(/^a=(candidate|end-of-candidates).*\r?\n/gm, "");
}

function waitForGathering(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === "complete") done();
    });
    function done() {
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    }
  });
}

/** Appends `a=end-of-candidates` to every media section that lacks it. */
function ensureEndOfCandidates(sdp: string): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const sections = sdp.split(/(?=^m=)/m);
  return sections
    .map((section, i) => {
      if (i === 0 || section.includes("a=end-of-candidates")) return section;
      const body = section.endsWith(eol) ? section : section + eol;
      return `${body}a=end-of-candidates${eol}`;
    })
    .join("");
}

/**
 * Applies the offer, sets transceiver directions from the mapping, answers and waits for
 * gathering (≤ `gatherTimeoutMs`). Returns the complete answer SDP.
 */
export async function answerOffer(
  pc: RTCPeerConnection,
  sdpOffer: string,
  mapping: readonly TrackMappingEntry[],
  gatherTimeoutMs: number,
): Promise<string> {
  // mDNS (.local) candidates never resolve here and cost werift 10 s each; the browser's
  // STUN checks make its address known anyway (peer-reflexive).
  const offer = sdpOffer.replace(/^a=candidate:\S+ \d+ \S+ \d+ \S+\.local .*\r?\n/gm, "");
  await pc.setRemoteDescription({ type: "offer", sdp: offer });
  const mids = new Set<string>();
  for (const transceiver of pc.getTransceivers()) {
    const mid = transceiver.mid;
    if (mid !== null) mids.add(mid);
    const entry = mapping.find((m) => m.mid === mid);
    if (!entry) {
      transceiver.setDirection("inactive");
      continue;
    }
    transceiver.setDirection(entry.direction === "recvonly" ? "sendonly" : "recvonly");
  }
  for (const entry of mapping) {
    if (!mids.has(entry.mid)) {
      throw reactorError(
        "BAD_REQUEST",
        `track_mapping names mid '${entry.mid}' (${entry.name}), absent from the offer`,
      );
    }
  }
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  await waitForGathering(pc, gatherTimeoutMs);
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw reactorError("SERVER_ERROR", "werift produced no local description");
  // Trailers are negotiated like the runtime does: echoed only when the offer asked.
  const answered = hasFrameMetadataAttribute(sdpOffer) ? withFrameMetadataAttribute(sdp) : sdp;
  return ensureEndOfCandidates(answered);
}
