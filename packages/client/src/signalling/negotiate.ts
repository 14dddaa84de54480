/**
 * One connection to the GPU peer, end to end (docs/protocol.md §4): register a connection (unless
 * the caller brings a pre-registered id), offer (`POST` first time, `PUT` on reconnect), trickle
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

/** Runs the signalling steps; on failure everything it opened is closed before it rejects. */
export async function negotiate(options: NegotiateOptions): Promise<Connection> {
  const { coordinator, sessionId, signal, logger } = options;
  if (options.connectionId !== undefined && !isValidPreRegisteredConnectionId(options.connectionId)) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `connectionId must be an integer with 1000 < id ≤ 9999, got ${options.connectionId}`,
    );
  }
  let connectionId = options.connectionId ?? -1;
  const batcher = new CandidateBatcher({
    send: (candidates, isFinal) =>
      coordinator.sendCandidates(
        sessionId,
        connectionId,
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
  const close = async (): Promise<void> => {
    batcher.close();
    await transport.close();
  };
  try {
    if (options.connectionId === undefined) {
      connectionId = await sessionLostOn400(coordinator.registerConnection(sessionId, signal));
    }
    const offer = await establishing(transport.createOffer(), options.kind);
    const confirmed = await sessionLostOn400(
      coordinator.sendOffer(
        sessionId,
        connectionId,
        options.kind === "reconnect" ? "PUT" : "POST",
        { sdp_offer: offer.sdp, client_info: { ...CLIENT_INFO }, track_mapping: offer.trackMapping },
        signal,
      ),
    );
    if (confirmed !== undefined) connectionId = confirmed;
    batcher.start();
    const answer = await pollForAnswer(coordinator, sessionId, connectionId, {
      signal,
      ...(options.sdpPollAttempts !== undefined && { maxAttempts: options.sdpPollAttempts }),
    });
    if (answer.connectionId !== undefined && answer.connectionId !== connectionId) {
      logger.debug({ from: connectionId, to: answer.connectionId }, "adopting the server's connection id");
      connectionId = answer.connectionId;
    }
    await establishing(transport.applyAnswer(answer.sdp), options.kind);
    await establishing(transport.waitReady(signal, options.readyTimeoutMs), options.kind);
    return { connectionId, transport, close };
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
