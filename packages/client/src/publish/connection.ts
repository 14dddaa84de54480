/** Adapts a ready connection to what publishing needs: the control requests, the senders, negotiated trailers. */
import { PUBLISH_TRACK_METHOD } from "@reactor-node/protocol";
import type { PeerTransport } from "../transport/peer.js";
import type { SessionWire } from "../wire/session-wire.js";
import type { PublishConnection } from "./publishing.js";

/** The publishing view of `transport`, its control requests going through the session's `wire`. */
export function publishConnection(transport: PeerTransport, wire: SessionWire): PublishConnection {
  // Trailers only when both sides said so: our offer carried the attribute and the answer echoed it.
  const frameMetadata = transport.frameMetadata;
  return {
    requestPublish: async (name, signal) => {
      await wire.request(
        "publish_track",
        (requestId) => ({ kind: "request", method: PUBLISH_TRACK_METHOD, requestId: requestId!, data: { name } }),
        { what: `Publishing '${name}'`, operation: "publish", ...(signal && { signal }) },
      );
    },
    unpublish: (name) => wire.notify({ kind: "notification", event: "unpublish_track", name }),
    binding: (name) => {
      const media = transport.mediaSender(name);
      return media && { ...media, frameMetadata };
    },
  };
}
