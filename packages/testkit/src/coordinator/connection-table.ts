/**
 * The connection records of one session: storage only. {@link ConnectionManager}
 * (connections.ts) creates and writes them; everyone else reads them here.
 */
import type { IceCandidateWire } from "@reactor-node/protocol";
import { HttpError } from "./http.js";

/** ICE candidates one offer may be trickled (legacy ones held before the offer included). */
export const MAX_CANDIDATES_PER_OFFER = 256;

/** One WebRTC connection of a session, as the coordinator tracks it. */
export interface ConnectionRecord {
  readonly id: number;
  readonly legacy: boolean;
  /** `gone` = closed by the coordinator or reported closed/failed by the GPU. */
  readonly status: "registered" | "offered" | "connected" | "gone";
  readonly everConnected: boolean;
  /** The offer this record is answering (0 before the first offer). */
  readonly generation: number;
  /** The GPU's answer and when the answer poll may see it (`Infinity` = never). */
  readonly answer: { sdp: string; visibleAt: number } | null;
  readonly answerError: string | null;
  readonly answerConsumed: boolean;
  /** Candidates trickled for the current offer. */
  readonly candidates: number;
}

/** A record as the manager writes it. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The connection records of one session (read-only outside this file). */
export class ConnectionTable {
  private readonly records = new Map<number, Mutable<ConnectionRecord>>();
  private readonly usedIds = new Set<number>();
  private generations = 0;
  /** Legacy trickled candidates waiting for the next legacy offer. */
  private legacyPending: IceCandidateWire[] = [];

  /** The record of a connection id. */
  get(id: number): ConnectionRecord | undefined {
    return this.records.get(id);
  }

  /** Every record, in registration order. */
  list(): ConnectionRecord[] {
    return [...this.records.values()];
  }

  /** Connections that count against the per-session cap. */
  get open(): ConnectionRecord[] {
    return this.list().filter((c) => c.status !== "gone");
  }

  /** True while some client's peer is connected. */
  get live(): boolean {
    return this.list().some((c) => c.status === "connected");
  }

  /** True once any connection ever connected. */
  get everConnected(): boolean {
    return this.list().some((c) => c.everConnected);
  }

  /** @internal (ConnectionManager) */
  static writable(table: ConnectionTable) {
    return {
      records: table.records,
      usedIds: table.usedIds,
      nextGeneration: () => ++table.generations,
      takeLegacyPending: () => {
        const pending = table.legacyPending;
        table.legacyPending = [];
        return pending;
      },
      holdLegacy: (candidates: IceCandidateWire[]) => {
        if (table.legacyPending.length + candidates.length > MAX_CANDIDATES_PER_OFFER) {
          throw new HttpError(400, `Too many ICE candidates before the offer (max ${MAX_CANDIDATES_PER_OFFER})`);
        }
        table.legacyPending.push(...candidates);
      },
    };
  }
}
