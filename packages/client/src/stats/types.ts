/**
 * What `reactor.getStats()` and the `stats` event report: the official JS SDK's connection
 * statistics (`rtt`, `candidateType`, bitrates, `framesPerSecond`, `packetLossRatio`, `jitter`,
 * `connectionTimings`, `timestamp`, same names and units) plus per-track figures, totals and the
 * selected candidate pair.
 */
import type { TrackInfo } from "@reactor-node/protocol";
import type { ConnectionTimings } from "./timings.js";

/** Shortest `statsIntervalMs` accepted (our choice: each sample walks werift's whole stats report). */
export const STATS_MIN_INTERVAL_MS = 100;
/** How often statistics are sampled while connected when no `statsIntervalMs` is set (our choice). */
export const STATS_SAMPLE_INTERVAL_MS = 1_000;

/** One end of an ICE candidate pair. */
export interface CandidateStats {
  address?: string;
  port?: number;
  /** `udp` or `tcp`. */
  protocol?: string;
  /** `host`, `srflx`, `prflx` or `relay`. */
  candidateType?: string;
}

/** The ICE candidate pair media flows on. */
export interface CandidatePairStats {
  local: CandidateStats;
  remote: CandidateStats;
  /** `succeeded`, `in-progress`, … */
  state?: string;
  nominated?: boolean;
}

/** Figures of one track on the current connection. */
export interface TrackStatsSample {
  name: string;
  kind: TrackInfo["kind"];
  direction: TrackInfo["direction"];
  ssrc?: number;
  /** RTP packets received (`recvonly`) or sent (`sendonly`) on this connection. */
  packets: number;
  /** RTP payload bytes received or sent on this connection. */
  bytes: number;
  /** Received tracks: packets the sender sent that never arrived (RTP sequence gaps). */
  packetsLost?: number;
  /** Received tracks: interarrival jitter in seconds (RFC 3550). */
  jitter?: number;
  /** Received tracks: frames received on this connection (video: RTP marker bits; audio: packets). */
  frames?: number;
  /** Frames per second over the last sampling interval. */
  framesPerSecond?: number;
  /** Payload bits per second over the last sampling interval. */
  bitrate?: number;
}

/** Connection statistics (see the file comment). */
export interface ReactorStats {
  /** When the sample was taken, ms since the Unix epoch. */
  timestamp: number;
  /** The connection sampled. */
  connectionId?: number;
  /** Round-trip time of the selected candidate pair in ms (ICE consent checks). */
  rtt?: number;
  /** Type of the local candidate of the selected pair (`host`, `srflx`, `prflx`, `relay`). */
  candidateType?: string;
  selectedCandidatePair?: CandidatePairStats;
  /** Bytes received / sent on the selected candidate pair (all media, data channels and RTCP). */
  bytesReceived: number;
  bytesSent: number;
  /** Bits per second received / sent over the last sampling interval (undefined for the first sample). */
  incomingBitrate?: number;
  outgoingBitrate?: number;
  /** Not measured by werift: always undefined (kept for the official JS SDK's shape). */
  availableIncomingBitrate?: number;
  /** Not measured by werift: always undefined (kept for the official JS SDK's shape). */
  availableOutgoingBitrate?: number;
  /** Packets lost across every received track. */
  packetsLost: number;
  /** Lost / (received + lost) of the main video track, 0–1. */
  packetLossRatio?: number;
  /** Jitter of the main video track in seconds. */
  jitter?: number;
  /** Frames per second of the main video track. */
  framesPerSecond?: number;
  /** Per-track figures, by track name. */
  tracks: Record<string, TrackStatsSample>;
  /** The timing breakdown of the connect that opened this connection. */
  connectionTimings?: ConnectionTimings;
}
