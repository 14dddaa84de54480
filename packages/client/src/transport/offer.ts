/**
 * Offer construction (docs/protocol.md §4): data channels `control` first, then `data` (both
 * ordered and reliable), then one transceiver per capability track in capability order with
 * the client-perspective direction; the `track_mapping` is read from each transceiver's mid
 * after `setLocalDescription`. `control` is created first so it gets SCTP stream id 0 on every
 * client, which is what the runtime expects of the official SDKs.
 */
import {
  CONTROL_CHANNEL_LABEL,
  DATA_CHANNEL_LABEL,
  type TrackInfo,
  type TrackMappingEntry,
} from "@reactor-node/protocol";
import type { RTCDataChannel, RTCPeerConnection, RTCRtpTransceiver } from "werift";

/** What offering produced. */
export interface LocalOffer {
  sdp: string;
  trackMapping: TrackMappingEntry[];
  control: RTCDataChannel;
  data: RTCDataChannel;
  /** Transceivers by capability track name. */
  transceivers: Map<string, { info: TrackInfo; transceiver: RTCRtpTransceiver }>;
}

/** Builds channels and transceivers on a fresh `pc`, creates the offer and applies it locally. */
export async function createLocalOffer(pc: RTCPeerConnection, tracks: readonly TrackInfo[]): Promise<LocalOffer> {
  const control = pc.createDataChannel(CONTROL_CHANNEL_LABEL, { ordered: true });
  const data = pc.createDataChannel(DATA_CHANNEL_LABEL, { ordered: true });
  const transceivers = new Map<string, { info: TrackInfo; transceiver: RTCRtpTransceiver }>();
  for (const info of tracks) {
    const transceiver = pc.addTransceiver(info.kind, { direction: info.direction });
    transceivers.set(info.name, { info, transceiver });
  }
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const sdp = pc.localDescription?.sdp ?? offer.sdp;
  const trackMapping: TrackMappingEntry[] = [];
  for (const { info, transceiver } of transceivers.values()) {
    if (transceiver.mid === null || transceiver.mid === undefined) {
      // The caller reports this as a transport that could not be established.
      throw new Error(`No mid was assigned to the transceiver of track '${info.name}'`);
    }
    trackMapping.push({ mid: transceiver.mid, name: info.name, kind: info.kind, direction: info.direction });
  }
  return { sdp, trackMapping, control, data, transceivers };
}
