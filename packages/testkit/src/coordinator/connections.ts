/**
 * Signalling bookkeeping of a session's connections: ids (1002–9999, never reused, 4 per hosted
 * session), offers and re-offers forwarded to the GPU, trickled candidates (legacy ones held
 * until their offer), and the one-shot answer the poll returns.
 */
import { randomInt } from "node:crypto";
import {
  CONNECTION_ID_MAX,
  CONNECTION_ID_MIN,
  HOSTED_MAX_CONNECTIONS_PER_SESSION,
  type IceCandidateWire,
  LEGACY_CONNECTION_ID,
  SessionState,
  type TrackMappingEntry,
} from "@reactor-node/protocol";
import type { CallHistory } from "../history.js";
import type { GpuPool } from "./gpu-pool.js";
import { HttpError } from "./http.js";
import type { ConnectionRecord, Session } from "./session.js";

/** The connections of every session. */
export class ConnectionManager {
  constructor(
    private readonly pool: GpuPool,
    private readonly history: CallHistory,
  ) {}

  /** Registers a connection id (1002–9999, never reused in the session). */
  registerConnection(session: Session): number {
    this.requireTransport(session);
    if (!session.local && session.openConnections.length >= HOSTED_MAX_CONNECTIONS_PER_SESSION) {
      throw new HttpError(
        429,
        `Too many connections on this session (max ${HOSTED_MAX_CONNECTIONS_PER_SESSION})`,
        {},
        {
          "Retry-After": "1",
        },
      );
    }
    let id: number;
    do id = randomInt(CONNECTION_ID_MIN, CONNECTION_ID_MAX + 1);
    while (session.usedConnectionIds.has(id));
    session.usedConnectionIds.add(id);
    session.connections.set(id, this.newRecord(id, false));
    this.event("connection_registered", session, id);
    return id;
  }

  private newRecord(id: number, legacy: boolean): ConnectionRecord {
    return {
      id,
      legacy,
      status: "registered",
      everConnected: false,
      answer: null,
      answerError: null,
      answerConsumed: false,
    };
  }

  private requireTransport(session: Session): void {
    if (!session.hasTransport || !session.gpuId) {
      throw new HttpError(400, session.state === SessionState.CLOSED ? "Session is closed" : "No session running");
    }
  }

  /** Validates the track mapping against the capabilities (400 on mismatch). */
  private checkMapping(session: Session, mapping: TrackMappingEntry[]): void {
    const tracks = session.capabilities?.tracks ?? [];
    for (const entry of mapping) {
      const track = tracks.find((t) => t.name === entry.name);
      if (!track) throw new HttpError(400, `track_mapping: '${entry.name}' is not a track of this model`);
      if (track.kind !== entry.kind || track.direction !== entry.direction) {
        throw new HttpError(
          400,
          `track_mapping: '${entry.name}' is ${track.kind}/${track.direction}, not ${entry.kind}/${entry.direction}`,
        );
      }
    }
  }

  /** Forwards an offer (new or re-offer) to the session's GPU. Legacy offers use id 1001. */
  offer(session: Session, connectionId: number | "legacy", sdpOffer: string, mapping: TrackMappingEntry[]): number {
    this.requireTransport(session);
    // werift would "answer" anything; refuse what cannot be a client offer up front.
    if (!/^v=0\r?\n/.test(sdpOffer) || !/^m=application /m.test(sdpOffer)) {
      throw new HttpError(400, "sdp_offer is not an SDP offer with a data-channel (m=application) section");
    }
    this.checkMapping(session, mapping);
    let record: ConnectionRecord;
    if (connectionId === "legacy") {
      const previous = session.connections.get(LEGACY_CONNECTION_ID);
      if (!previous || previous.status === "gone") {
        if (!session.local && session.openConnections.length >= HOSTED_MAX_CONNECTIONS_PER_SESSION) {
          throw new HttpError(429, "Too many connections on this session", {}, { "Retry-After": "1" });
        }
      }
      record = this.newRecord(LEGACY_CONNECTION_ID, true);
      session.connections.set(LEGACY_CONNECTION_ID, record);
      this.history.push("events", { type: "legacy_offer", sessionId: session.id, time: Date.now() });
    } else {
      const existing = session.connections.get(connectionId);
      if (!existing || existing.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
      record = existing;
    }
    record.status = "offered";
    record.answer = null;
    record.answerError = null;
    record.answerConsumed = false;
    this.pool.send(session.gpuId!, {
      type: "offer",
      sessionId: session.id,
      connectionId: record.id,
      sdpOffer,
      trackMapping: mapping,
      legacy: record.legacy,
    });
    if (record.legacy && session.legacyCandidates.length > 0) {
      const early = session.legacyCandidates;
      session.legacyCandidates = [];
      this.candidates(session, LEGACY_CONNECTION_ID, early, false);
    }
    return record.id;
  }

  /**
   * Legacy trickle (`POST T/ice_candidates`): candidates belong to the legacy connection whose
   * offer is in flight; ones that arrive before it (or while the previous legacy connection is
   * established, i.e. for a coming re-offer) wait for the next legacy offer.
   */
  legacyCandidates(session: Session, candidates: IceCandidateWire[], isFinal: boolean): void {
    this.requireTransport(session);
    const record = session.connections.get(LEGACY_CONNECTION_ID);
    if (record?.status === "offered") this.candidates(session, LEGACY_CONNECTION_ID, candidates, isFinal);
    else session.legacyCandidates.push(...candidates);
  }

  /** Forwards trickled candidates (the GPU buffers those that precede the offer). */
  candidates(session: Session, connectionId: number, candidates: IceCandidateWire[], isFinal: boolean): void {
    this.requireTransport(session);
    const record = session.connections.get(connectionId);
    if (!record || record.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
    this.pool.send(session.gpuId!, {
      type: "candidates",
      sessionId: session.id,
      connectionId,
      candidates: candidates.map((c) => ({
        candidate: c.candidate,
        ...(c.sdp_mid !== undefined && { sdpMid: c.sdp_mid }),
        ...(c.sdp_mline_index !== undefined && { sdpMLineIndex: c.sdp_mline_index }),
      })),
      isFinal,
    });
  }

  /** The answer poll: the SDP once (200), `null` while pending (202). */
  takeAnswer(session: Session, connectionId: number): string | null {
    if (session.state === SessionState.CLOSED) throw new HttpError(400, "Session is closed");
    const record = session.connections.get(connectionId);
    if (!record || record.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
    if (record.answerError) throw new HttpError(400, `Offer rejected: ${record.answerError}`);
    if (!record.answer || record.answerConsumed || record.answer.visibleAt > Date.now()) return null;
    record.answerConsumed = true;
    return record.answer.sdp;
  }

  private event(type: string, session: Session, detail: unknown): void {
    this.history.push("events", { type, sessionId: session.id, detail, time: Date.now() });
  }
}
