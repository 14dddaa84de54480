/**
 * Signalling bookkeeping of a session's connections: ids (1002–9999, never reused, 4 per hosted
 * session), offers and re-offers forwarded to the GPU, trickled candidates (legacy ones held
 * until their offer; a bounded number per offer), and the one-shot answer the poll returns.
 *
 * The records are created and written here only ({@link ConnectionManager}); sessions read them
 * through {@link ConnectionTable}. Every offer gets a new generation, and the GPU tags its
 * answer and connection states with it, so the superseded peer of a re-offer (which closes
 * while the new offer is being answered) cannot mark the new offer gone.
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
import type { GpuMessage } from "../gpu/link.js";
import type { CallHistory } from "../history.js";
import { type ConnectionRecord, ConnectionTable, MAX_CANDIDATES_PER_OFFER, type Mutable } from "./connection-table.js";
import type { GpuPool } from "./gpu-pool.js";
import { HttpError } from "./http.js";
import type { Session } from "./session.js";

/** What a connection-state report did: `stale` = about a gone record or an older offer (ignored). */
export type ConnectionChange = "connected" | "lost" | "other" | "stale";

/** The connections of every session. */
export class ConnectionManager {
  constructor(
    private readonly pool: GpuPool,
    private readonly history: CallHistory,
  ) {}

  /** Registers a connection id (1002–9999, never reused in the session). */
  registerConnection(session: Session): number {
    this.requireTransport(session);
    const table = ConnectionTable.writable(session.connections);
    if (!session.local && session.connections.open.length >= HOSTED_MAX_CONNECTIONS_PER_SESSION) {
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
    while (table.usedIds.has(id));
    table.usedIds.add(id);
    table.records.set(id, this.newRecord(id, false, 0));
    this.event("connection_registered", session, id);
    return id;
  }

  private newRecord(id: number, legacy: boolean, generation: number): Mutable<ConnectionRecord> {
    return {
      id,
      legacy,
      status: "registered",
      everConnected: false,
      generation,
      answer: null,
      answerError: null,
      answerConsumed: false,
      candidates: 0,
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

  /**
   * Forwards an offer (new or re-offer) to the session's GPU. A re-offer on a connection that is
   * still open (registered, offered or connected) replaces its peer; a closed one is a 404.
   * Legacy offers use id 1001.
   */
  offer(session: Session, connectionId: number | "legacy", sdpOffer: string, mapping: TrackMappingEntry[]): number {
    this.requireTransport(session);
    // werift would "answer" anything; refuse what cannot be a client offer up front.
    if (!/^v=0\r?\n/.test(sdpOffer) || !/^m=application /m.test(sdpOffer)) {
      throw new HttpError(400, "sdp_offer is not an SDP offer with a data-channel (m=application) section");
    }
    this.checkMapping(session, mapping);
    const table = ConnectionTable.writable(session.connections);
    let record: Mutable<ConnectionRecord>;
    if (connectionId === "legacy") {
      const previous = table.records.get(LEGACY_CONNECTION_ID);
      if (!previous || previous.status === "gone") {
        if (!session.local && session.connections.open.length >= HOSTED_MAX_CONNECTIONS_PER_SESSION) {
          throw new HttpError(429, "Too many connections on this session", {}, { "Retry-After": "1" });
        }
      }
      record = this.newRecord(LEGACY_CONNECTION_ID, true, 0);
      table.records.set(LEGACY_CONNECTION_ID, record);
      this.history.push("events", { type: "legacy_offer", sessionId: session.id, time: Date.now() });
    } else {
      const existing = table.records.get(connectionId);
      if (!existing || existing.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
      record = existing;
    }
    record.generation = table.nextGeneration();
    record.status = "offered";
    record.answer = null;
    record.answerError = null;
    record.answerConsumed = false;
    this.pool.send(session.gpuId!, {
      type: "offer",
      sessionId: session.id,
      connectionId: record.id,
      generation: record.generation,
      sdpOffer,
      trackMapping: mapping,
      legacy: record.legacy,
    });
    if (record.legacy) {
      const early = table.takeLegacyPending();
      if (early.length > 0) this.candidates(session, LEGACY_CONNECTION_ID, early, false);
    }
    return record.id;
  }

  /**
   * Legacy trickle (`POST T/ice_candidates`): candidates belong to the legacy connection whose
   * offer is in flight; ones that arrive before it (or while the previous legacy connection is
   * established, i.e. for a coming re-offer) wait for the next legacy offer (a bounded number).
   */
  legacyCandidates(session: Session, candidates: IceCandidateWire[], isFinal: boolean): void {
    this.requireTransport(session);
    const record = session.connections.get(LEGACY_CONNECTION_ID);
    if (record?.status === "offered") this.candidates(session, LEGACY_CONNECTION_ID, candidates, isFinal);
    else ConnectionTable.writable(session.connections).holdLegacy(candidates);
  }

  /** Forwards trickled candidates (the GPU buffers those that precede the offer); bounded per offer. */
  candidates(session: Session, connectionId: number, candidates: IceCandidateWire[], isFinal: boolean): void {
    this.requireTransport(session);
    const record = ConnectionTable.writable(session.connections).records.get(connectionId);
    if (!record || record.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
    if (record.candidates + candidates.length > MAX_CANDIDATES_PER_OFFER) {
      throw new HttpError(400, `Too many ICE candidates for this offer (max ${MAX_CANDIDATES_PER_OFFER})`);
    }
    record.candidates += candidates.length;
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

  /** The answer poll: the SDP once (200), `null` while pending (202); a rejected offer is a 400. */
  takeAnswer(session: Session, connectionId: number): string | null {
    if (session.state === SessionState.CLOSED) throw new HttpError(400, "Session is closed");
    const record = ConnectionTable.writable(session.connections).records.get(connectionId);
    if (record?.answerError) throw new HttpError(400, `Offer rejected: ${record.answerError}`);
    if (!record || record.status === "gone") throw new HttpError(404, `Unknown connection ${connectionId}`);
    if (!record.answer || record.answerConsumed || record.answer.visibleAt > Date.now()) return null;
    record.answerConsumed = true;
    return record.answer.sdp;
  }

  /**
   * The GPU answered an offer (or refused it). Reports of an older offer are ignored. `visibleAt`
   * is when the answer poll may see it.
   */
  onAnswer(session: Session, m: Extract<GpuMessage, { type: "answer" }>, visibleAt: number): void {
    const record = ConnectionTable.writable(session.connections).records.get(m.connectionId);
    if (!record || (m.generation !== undefined && m.generation !== record.generation)) return;
    if (!m.ok || !m.sdpAnswer) {
      // Kept even when the failed peer already reported itself closed: the poll says why.
      record.answerError = (m.detail ?? "the GPU could not answer").slice(0, 500);
      return;
    }
    if (record.status === "gone") return;
    record.answer = { sdp: m.sdpAnswer, visibleAt };
  }

  /** The GPU reported a connection's state; returns what it changed for the session. */
  onState(session: Session, m: Extract<GpuMessage, { type: "connectionState" }>): ConnectionChange {
    const record = ConnectionTable.writable(session.connections).records.get(m.connectionId);
    if (!record || record.status === "gone") return "stale";
    if (m.generation !== undefined && m.generation !== record.generation) return "stale";
    if (m.state === "connected") {
      record.status = "connected";
      record.everConnected = true;
      return "connected";
    }
    if (m.state === "closed" || m.state === "failed") {
      record.status = "gone";
      return "lost";
    }
    return "other";
  }

  /** The session lost its GPU (released, restarted, GPU gone): every connection is gone. */
  dropAll(session: Session): void {
    for (const record of ConnectionTable.writable(session.connections).records.values()) record.status = "gone";
  }

  private event(type: string, session: Session, detail: unknown): void {
    this.history.push("events", { type, sessionId: session.id, detail, time: Date.now() });
  }
}
