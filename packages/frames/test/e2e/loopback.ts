// Two real werift peers in this process on loopback: a sender (the testkit's synthetic VP8 source →
// werift Vp8Packetizer → a sendonly VP8 track) and a receiver whose track feeds a VideoReceiver.
// RTCP PLI travels back through werift to the source. Loss is injected in the sender, before
// werift sees the packet, so NACKs cannot repair it (the packet is in no retransmission cache).
import { RTP_MAX_PAYLOAD_BYTES, rtpCodecs } from "@reactor-node/protocol";
import { createVideoSource, type VideoFrame as SourceFrame, type VideoSource } from "@reactor-node/testkit";
import { type MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver } from "werift";
import { type RtpPacket, Vp8Packetizer } from "werift/nonstandard";
import type { VideoReceiver } from "../../src/index.js";

/** How long ICE gathering and connecting may take on loopback before the test fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The codecs the testkit's GPU peer and the client negotiate (the protocol's list). */
function vp8Codecs() {
  return rtpCodecs((codec) => new RTCRtpCodecParameters(codec));
}

/** One frame as the sender handed it to werift (or dropped it). */
export interface SentFrame {
  frameNumber: number;
  keyframe: boolean;
  packets: number;
  /** Whole frame dropped. */
  dropped: boolean;
  /** Indices of single packets dropped. */
  droppedPackets: number[];
  /** How many PLIs the sender had received when this frame was sent. */
  plisBefore: number;
}

/** Options of {@link createLoopback}. */
export interface LoopbackOptions {
  width: number;
  height: number;
  fps?: number;
  /** Return true to drop every RTP packet of this source frame before werift sends it. */
  dropFrame?: (frame: SourceFrame) => boolean;
  /** Return true to drop packet `index` (of `count`) of this source frame before werift sends it. */
  dropPacket?: (frame: SourceFrame, index: number, count: number) => boolean;
}

/** A connected sender/receiver pair; the source is not started yet. */
export interface Loopback extends AsyncDisposable {
  readonly source: VideoSource;
  readonly sender: RTCPeerConnection;
  readonly receiver: RTCPeerConnection;
  /** Every frame the source produced after start, in order. */
  readonly sent: SentFrame[];
  /** PLIs the sender received (each made the source send a keyframe). */
  readonly plisReceived: number;
  /** Feeds the receiving track's RTP into `video` (until {@link Loopback.close}) and its keyframe requests back as PLIs. */
  attach(video: VideoReceiver): void;
  /** Closes the source and both peers. Idempotent. */
  close(): Promise<void>;
}

function waitFor<T>(what: string, subscribe: (done: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${what} did not happen within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

function connected(pc: RTCPeerConnection): Promise<void> {
  if (pc.connectionState === "connected") return Promise.resolve();
  return waitFor("peer connection", (done) => {
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") done(undefined);
    });
    return () => sub.unSubscribe();
  });
}

/**
 * Connects a sendonly VP8 peer to a recvonly peer in this process (SDP exchanged directly) and
 * prepares the testkit's source at `width`×`height`. Resolves once both peers are connected, the
 * receiving track exists and the source's loop is fully encoded.
 */
export async function createLoopback(options: LoopbackOptions): Promise<Loopback> {
  const source = createVideoSource({ width: options.width, height: options.height, fps: options.fps ?? 30 });
  const sender = new RTCPeerConnection({ codecs: vp8Codecs(), iceUseIpv6: false });
  const receiver = new RTCPeerConnection({ codecs: vp8Codecs(), iceUseIpv6: false });
  const sent: SentFrame[] = [];
  let plis = 0;
  let closing: Promise<void> | undefined;
  const detachers: (() => void)[] = [];
  try {
    const out: RTCRtpTransceiver = sender.addTransceiver("video", { direction: "sendonly" });
    out.sender.onPictureLossIndication.subscribe(() => {
      plis++;
      source.requestKeyframe();
    });
    const packetizer = new Vp8Packetizer({ maxPayloadSize: RTP_MAX_PAYLOAD_BYTES });
    source.onFrame((frame) => {
      const packets = packetizer.packetize(Buffer.from(frame.data), frame.timestamp90k);
      const dropped = options.dropFrame?.(frame) ?? false;
      const droppedPackets = packets
        .map((_, i) => i)
        .filter((i) => !dropped && (options.dropPacket?.(frame, i, packets.length) ?? false));
      sent.push({
        frameNumber: frame.frameNumber,
        keyframe: frame.keyframe,
        packets: packets.length,
        dropped,
        droppedPackets,
        plisBefore: plis,
      });
      if (dropped) return;
      for (const [i, packet] of packets.entries()) {
        if (!droppedPackets.includes(i)) void out.sender.sendRtp(packet).catch(() => {});
      }
    });

    const track = waitFor<[MediaStreamTrack, RTCRtpTransceiver]>("remote track", (done) => {
      const sub = receiver.onTrack.subscribe((t) => {
        const transceiver = receiver.getTransceivers().find((x) => x.receiver.track === t);
        if (transceiver) done([t, transceiver]);
      });
      return () => sub.unSubscribe();
    });
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription!);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(receiver.localDescription!);
    const [remoteTrack, inbound] = await track;
    await Promise.all([connected(sender), connected(receiver), source.loopComplete]);

    const link: Loopback = {
      source,
      sender,
      receiver,
      sent,
      get plisReceived() {
        return plis;
      },
      attach(video) {
        const sub = remoteTrack.onReceiveRtp.subscribe((rtp: RtpPacket) => video.pushRtp(rtp));
        detachers.push(() => sub.unSubscribe());
        video.onKeyframeNeeded(() => {
          if (remoteTrack.ssrc !== undefined) void inbound.receiver.sendRtcpPLI(remoteTrack.ssrc);
        });
      },
      close() {
        for (const detach of detachers.splice(0)) detach();
        closing ??= Promise.all([source.close(), sender.close(), receiver.close()]).then(() => {});
        return closing;
      },
      [Symbol.asyncDispose]() {
        return link.close();
      },
    };
    return link;
  } catch (error) {
    await Promise.all([source.close(), sender.close(), receiver.close()]);
    throw error;
  }
}
