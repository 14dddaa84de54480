/**
 * Turns one werift `pc.getStats()` report into a {@link ReactorStats} sample. werift reports the
 * candidate pairs (RTT, bytes), the transport and each RTP stream's packets, payload bytes, loss
 * and jitter; it has no frame counters, so frames come from the tracks' own RTP counts (video:
 * packets carrying the marker bit, which ends a frame; audio: one frame per packet), and every
 * rate is computed here from the difference with the previous sample.
 */
import type { TrackInfo } from "@reactor-node/protocol";
import type { ReactorStats, TrackStatsSample } from "./types.js";

/** What the sampler knows about one track of the connection. */
export interface TrackProbe {
  info: TrackInfo;
  /** SSRC of the RTP stream received (`recvonly`) or sent (`sendonly`), once known. */
  ssrc?: number;
  /** Frames received on this connection (`recvonly`). */
  frames?: number;
}

/** A stats entry as werift reports it (only the fields read here). */
type Entry = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Builds a sample; `previous` (the last sample of the same connection) gives the rates. */
export function buildSample(
  report: ReadonlyMap<string, unknown>,
  probes: readonly TrackProbe[],
  mainVideo: string | undefined,
  previous: ReactorStats | undefined,
  now: number = Date.now(),
): ReactorStats {
  const entries = [...report.values()] as Entry[];
  const pair = selectedPair(entries, report);
  const local = pair && (report.get(String(pair.localCandidateId)) as Entry | undefined);
  const remote = pair && (report.get(String(pair.remoteCandidateId)) as Entry | undefined);
  const seconds = previous ? (now - previous.timestamp) / 1000 : 0;
  const rate = (current: number, before: number | undefined): number | undefined =>
    before !== undefined && seconds > 0 ? Math.max(0, ((current - before) * 8) / seconds) : undefined;

  const tracks: Record<string, TrackStatsSample> = {};
  let packetsLost = 0;
  for (const probe of probes) {
    const sample = trackSample(entries, probe);
    const before = previous?.tracks[probe.info.name];
    const bitrate = rate(sample.bytes, before?.bytes);
    if (bitrate !== undefined) sample.bitrate = bitrate;
    if (sample.frames !== undefined && before?.frames !== undefined && seconds > 0) {
      sample.framesPerSecond = Math.max(0, (sample.frames - before.frames) / seconds);
    }
    packetsLost += sample.packetsLost ?? 0;
    tracks[probe.info.name] = sample;
  }

  const bytesReceived = num(pair?.bytesReceived) ?? 0;
  const bytesSent = num(pair?.bytesSent) ?? 0;
  const rttSeconds = num(pair?.currentRoundTripTime);
  const main = mainVideo === undefined ? undefined : tracks[mainVideo];
  const stats: ReactorStats = {
    timestamp: now,
    bytesReceived,
    bytesSent,
    packetsLost,
    tracks,
  };
  if (rttSeconds !== undefined) stats.rtt = rttSeconds * 1000;
  const candidateType = str(local?.candidateType);
  if (candidateType !== undefined) stats.candidateType = candidateType;
  if (pair) {
    stats.selectedCandidatePair = {
      local: candidate(local),
      remote: candidate(remote),
      ...(str(pair.state) !== undefined && { state: str(pair.state) }),
      ...(typeof pair.nominated === "boolean" && { nominated: pair.nominated }),
    };
  }
  const incoming = rate(bytesReceived, previous?.bytesReceived);
  const outgoing = rate(bytesSent, previous?.bytesSent);
  if (incoming !== undefined) stats.incomingBitrate = incoming;
  if (outgoing !== undefined) stats.outgoingBitrate = outgoing;
  if (main) {
    if (main.jitter !== undefined) stats.jitter = main.jitter;
    if (main.framesPerSecond !== undefined) stats.framesPerSecond = main.framesPerSecond;
    const lost = main.packetsLost ?? 0;
    if (main.packets + lost > 0) stats.packetLossRatio = lost / (main.packets + lost);
  }
  return stats;
}

// The pair media flows on: the transport's selected pair, else the nominated succeeded one.
function selectedPair(entries: Entry[], report: ReadonlyMap<string, unknown>): Entry | undefined {
  const transport = entries.find((e) => e.type === "transport" && typeof e.selectedCandidatePairId === "string");
  const selected = transport && (report.get(String(transport.selectedCandidatePairId)) as Entry | undefined);
  return (
    selected ?? entries.find((e) => e.type === "candidate-pair" && e.nominated === true && e.state === "succeeded")
  );
}

function candidate(entry: Entry | undefined) {
  if (!entry) return {};
  return {
    ...(str(entry.address) !== undefined && { address: str(entry.address) }),
    ...(num(entry.port) !== undefined && { port: num(entry.port) }),
    ...(str(entry.protocol) !== undefined && { protocol: str(entry.protocol) }),
    ...(str(entry.candidateType) !== undefined && { candidateType: str(entry.candidateType) }),
  };
}

function trackSample(entries: Entry[], probe: TrackProbe): TrackStatsSample {
  const { info, ssrc } = probe;
  const base: TrackStatsSample = {
    name: info.name,
    kind: info.kind,
    direction: info.direction,
    packets: 0,
    bytes: 0,
    ...(ssrc !== undefined && { ssrc }),
  };
  if (info.direction === "sendonly") {
    const out = ssrc === undefined ? undefined : entries.find((e) => e.type === "outbound-rtp" && e.ssrc === ssrc);
    return { ...base, packets: num(out?.packetsSent) ?? 0, bytes: num(out?.bytesSent) ?? 0 };
  }
  const inbound = ssrc === undefined ? undefined : entries.find((e) => e.type === "inbound-rtp" && e.ssrc === ssrc);
  const sample: TrackStatsSample = {
    ...base,
    packets: num(inbound?.packetsReceived) ?? 0,
    bytes: num(inbound?.bytesReceived) ?? 0,
    packetsLost: num(inbound?.packetsLost) ?? 0,
    frames: probe.frames ?? 0,
  };
  const jitter = num(inbound?.jitter);
  if (jitter !== undefined) sample.jitter = jitter;
  return sample;
}
