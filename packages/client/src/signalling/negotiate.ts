/**
 * One connection to the GPU peer, end to end (docs/protocol.md §4): build the transport and its
 * offer (possibly ahead, {@link prepareOffer}), register a connection (unless the caller brings
 * a pre-registered id), offer (`POST` first time, `PUT` on reconnect), trickle
 * candidates, poll the answer, apply it and wait for the readiness gate. A 400 on registration or
 * offer means the session was lost (SESSION_LOST) so the caller can start over with a new one;
 * a transport that cannot be built or never gets ready is CONNECTION_FAILED (RECONNECTION_FAILED
 * on a reconnect); HTTP failures keep their own codes.
 */
import {
  CLIENT_INFO,
  type IceServer,
  isReactorError,
  isValidPreRegisteredConnectionId,
  reactorError,
  type TrackInfo,
  type TrackMappingEntry,
} from "@reactor-node/protocol";
import { type ConnectKind, establishFailure } from "../errors.js";
import type { Coordinator } from "../http/coordinator.js";
import type { Logger } from "../logger.js";
import { type PeerEvents, PeerTransport } from "../transport/peer.js";
import { pollForAnswer } from "./answer-poller.js";
import { CandidateBatcher } from "./candidate-batcher.js";

/** What {@link negotiate} needs. */
export interface NegotiateOptions {
  coordinator: Coordinator;
  sessionId: string;
  iceServers: IceServer[];
  tracks: readonly TrackInfo[];
  /** Ask for per-frame metadata trailers (the offer carries the attribute). */
  frameMetadata?: boolean;
  /** `connect` offers with `POST` (first offer of this client), `reconnect` re-offers with `PUT`. */
  kind: ConnectKind;
  /** A connection registered by someone else (validated locally: 1000 < id ≤ 9999). */
  connectionId?: number;
  /** Transport events except candidates, which are handled here. */
  events: Omit<PeerEvents, "onCandidate">;
  signal: AbortSignal;
  readyTimeoutMs: number;
  sdpPollAttempts?: number;
  logger: Logger;
  /** Called with the transport as soon as it exists, so the caller can close it on abort. */
  onTransport?(transport: PeerTransport): void;
}

/** A ready connection. */
export interface Connection {
  connectionId: number;
  transport: PeerTransport;
  /** Stops trickling and closes the peer connection (idempotent). */
  close(): Promise<void>;
}

/**
 * The transport with its channels, transceivers and local offer, before any signalling: made by
 * {@link prepareOffer}, either right before {@link negotiate} or, when the caller knows the
 * tracks in advance (`modelTracks`), while the session still waits for a GPU.
 */
export interface PreparedOffer {
  transport: PeerTransport;
  tracks: readonly TrackInfo[];
  offer: Promise<{ sdp: string; trackMapping: TrackMappingEntry[] }>;
  /** Where trickled candidates go once the connection id exists. */
  target: { connectionId: number };
  batcher: CandidateBatcher;
  /** Stops trickling and closes the peer connection (idempotent). */
  close(): Promise<void>;
}

/** Builds the transport and starts its offer (no HTTP). Candidates are held until {@link negotiate} sends the offer. */
export function prepareOffer(
  options: Omit<NegotiateOptions, "connectionId" | "readyTimeoutMs" | "sdpPollAttempts">,
): PreparedOffer {
  const { coordinator, sessionId, signal, logger } = options;
  const target = { connectionId: -1 };
  const batcher = new CandidateBatcher({
    send: (candidates, isFinal) =>
      coordinator.sendCandidates(
        sessionId,
        target.connectionId,
        { candidates, is_final: isFinal, client_info: { ...CLIENT_INFO } },
        signal,
      ),
    onError: (error) => logger.warn({ err: error }, "sending ICE candidates failed"),
  });
  const transport = new PeerTransport({
    iceServers: options.iceServers,
    tracks: options.tracks,
    frameMetadata: options.frameMetadata === true,
    logger,
    events: {
      ...options.events,
      onCandidate: (candidate) => (candidate ? batcher.add(candidate) : batcher.finish()),
    },
  });
  options.onTransport?.(transport);
  const offer = establishing(transport.createOffer(), options.kind);
  offer.catch(() => {});
  return {
    transport,
    tracks: options.tracks,
    offer,
    target,
    batcher,
    close: async () => {
      batcher.close();
      await transport.close();
    },
  };
}

/** Runs the signalling steps; on failure everything it opened is closed before it rejects. */
export async function negotiate(options: NegotiateOptions, prepared?: PreparedOffer): Promise<Connection> {
  const { coordinator, sessionId, signal, logger } = options;
  if (options.connectionId !== undefined && !isValidPreRegisteredConnectionId(options.connectionId)) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `connectionId must be an integer with 1000 < id ≤ 9999, got ${options.connectionId}`,
    );
  }
  const { transport, target, batcher, close, offer: offering } = prepared ?? prepareOffer(options);
  try {
    target.connectionId =
      options.connectionId ?? (await sessionLostOn400(coordinator.registerConnection(sessionId, signal)));
    const offer = await offering;
    const confirmed = await sessionLostOn400(
      coordinator.sendOffer(
        sessionId,
        target.connectionId,
        options.kind === "reconnect" ? "PUT" : "POST",
        { sdp_offer: offer.sdp, client_info: { ...CLIENT_INFO }, track_mapping: offer.trackMapping },
        signal,
      ),
    );
    if (confirmed !== undefined) target.connectionId = confirmed;
    batcher.start();
    const answer = await pollForAnswer(coordinator, sessionId, target.connectionId, {
      signal,
      ...(options.sdpPollAttempts !== undefined && { maxAttempts: options.sdpPollAttempts }),
    });
    if (answer.connectionId !== undefined && answer.connectionId !== target.connectionId) {
      logger.debug({ from: target.connectionId, to: answer.connectionId }, "adopting the server's connection id");
      target.connectionId = answer.connectionId;
    }
    await establishing(transport.applyAnswer(answer.sdp), options.kind);
    await establishing(transport.waitReady(signal, options.readyTimeoutMs), options.kind);
    return { connectionId: target.connectionId, transport, close };
  } catch (error) {
    await close();
    throw error;
  }
}

// The steps of building the WebRTC transport itself: their failures are "could not connect".
async function establishing<T>(step: Promise<T>, kind: ConnectKind): Promise<T> {
  try {
    return await step;
  } catch (error) {
    throw establishFailure(error, kind);
  }
}

async function sessionLostOn400<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (isReactorError(error) && error.code === "BAD_REQUEST") {
      throw reactorError("SESSION_LOST", `The session was lost: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
