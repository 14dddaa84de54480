/**
 * Empty data-channel messages, sent the way RFC 8831 §6.6 asks: an SCTP user message cannot be
 * empty, so an empty string goes as PPID 56 ("WebRTC String Empty") and an empty binary message
 * as PPID 57 ("WebRTC Binary Empty"), each carrying one 0x00 byte the receiver ignores.
 *
 * werift 0.25 sends `""` as PPID 51 with no DATA chunk at all but still consumes the stream
 * sequence number, so its peer waits forever for the missing message and every later message
 * on that channel stops. Its receiving side handles 56/57 correctly, so the sender below writes
 * them straight into the channel's SCTP association (structurally typed: no werift import).
 * Call it only once the channel's queue has drained (the PacedSender does), or the empty
 * message would overtake queued ones.
 */

/** SCTP payload protocol identifier of a non-empty UTF-8 text message (RFC 8831 §8). */
export const SCTP_PPID_STRING = 51;
/** SCTP payload protocol identifier of a non-empty binary message. */
export const SCTP_PPID_BINARY = 53;
/** SCTP payload protocol identifier of an empty text message (one 0x00 byte on the wire). */
export const SCTP_PPID_STRING_EMPTY = 56;
/** SCTP payload protocol identifier of an empty binary message (one 0x00 byte on the wire). */
export const SCTP_PPID_BINARY_EMPTY = 57;

/** The SCTP association behind a werift data channel (`channel.sctp.sctp`). */
export interface SctpAssociationLike {
  send(
    streamId: number,
    ppId: number,
    userData: Uint8Array,
    options: { ordered: boolean; maxRetransmits?: number },
  ): Promise<unknown>;
}

/** The parts of a werift `RTCDataChannel` needed to reach its association. */
export interface ChannelWithAssociation {
  readonly id: number;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly sctp?: { readonly sctp?: SctpAssociationLike };
}

/**
 * A `sendEmpty` for {@link PacedSender} on a werift channel, or undefined when the channel does
 * not expose its association (then empty messages are refused rather than sent wrong).
 */
export function emptyMessageSender(
  channel: ChannelWithAssociation,
  onError: (error: unknown) => void,
): ((kind: "text" | "binary") => void) | undefined {
  if (typeof channel.sctp?.sctp?.send !== "function") return undefined;
  return (kind) => {
    const association = channel.sctp?.sctp;
    if (!association) throw new Error("the data channel has no SCTP association");
    const ppId = kind === "text" ? SCTP_PPID_STRING_EMPTY : SCTP_PPID_BINARY_EMPTY;
    association
      .send(channel.id, ppId, new Uint8Array([0]), {
        ordered: channel.ordered,
        ...(channel.maxRetransmits !== null && { maxRetransmits: channel.maxRetransmits }),
      })
      .catch(onError);
  };
}
