/** SDP session attributes this protocol adds (docs/protocol.md §6). */
import { FRAME_METADATA_SDP_ATTRIBUTE } from "../constants.js";

/** `a=x-reactor-frame-metadata:1`, the line an offer carries to ask for trailers. */
export const FRAME_METADATA_SDP_LINE = `a=${FRAME_METADATA_SDP_ATTRIBUTE}:1`;

/** True when the SDP's session section (before the first `m=`) carries the frame-metadata attribute. */
export function hasFrameMetadataAttribute(sdp: string): boolean {
  const session = sdp.split(/\r?\nm=/)[0] ?? "";
  return session.split(/\r?\n/).some((line) => line.trim() === FRAME_METADATA_SDP_LINE);
}

/** Adds the frame-metadata attribute to the session section (idempotent). */
export function withFrameMetadataAttribute(sdp: string): string {
  if (hasFrameMetadataAttribute(sdp)) return sdp;
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const firstMedia = sdp.search(/^m=/m);
  if (firstMedia < 0) return `${sdp.endsWith(eol) ? sdp : sdp + eol}${FRAME_METADATA_SDP_LINE}${eol}`;
  return `${sdp.slice(0, firstMedia)}${FRAME_METADATA_SDP_LINE}${eol}${sdp.slice(firstMedia)}`;
}
