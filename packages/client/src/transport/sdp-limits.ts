/** What the remote SDP says about data-channel limits. */
import { DATA_CHANNEL_MAX_MESSAGE_BYTES } from "@reactor-node/protocol";

/**
 * The SCTP `a=max-message-size` the remote SDP declares (RFC 8841), or undefined when it
 * declares none. `0` means "no limit" in the RFC.
 */
export function declaredMaxMessageSize(sdp: string | undefined): number | undefined {
  if (!sdp) return undefined;
  const match = /^a=max-message-size:(\d+)\s*$/m.exec(sdp);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * The outbound limit to enforce before sending: the remote's declared size when positive,
 * else the protocol's fallback ({@link DATA_CHANNEL_MAX_MESSAGE_BYTES}, 256 KiB).
 */
export function outboundMessageLimit(remoteSdp: string | undefined): number {
  const declared = declaredMaxMessageSize(remoteSdp);
  return declared !== undefined && declared > 0 ? declared : DATA_CHANNEL_MAX_MESSAGE_BYTES;
}
