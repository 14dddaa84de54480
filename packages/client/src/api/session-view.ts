/**
 * What the public object reports about the session beyond its status: the model schema waits,
 * connection statistics (sampled while ready), the connect timing breakdown, the session's
 * descriptor (`getSessionInfo()`) and whether the tracks are known yet. It only observes: the
 * coordinator's answers, the events the session emits and the status transitions.
 */
import {
  type ModelSchemaDocument,
  type ReactorStatus,
  reactorError,
  type SessionDescriptor,
} from "@reactor-node/protocol";
import type { Logger } from "../logger.js";
import type { TrackProbe } from "../stats/sample.js";
import { StatsSampler } from "../stats/sampler.js";
import { type ConnectionTimings, ConnectTimer } from "../stats/timings.js";
import { type ReactorStats, STATS_SAMPLE_INTERVAL_MS } from "../stats/types.js";
import type { Track } from "../tracks/track.js";
import { TracksKnown } from "./main-frames.js";
import type { CoordinatorObserver } from "./observed-coordinator.js";
import { SchemaWaits } from "./schema.js";

/** `reactor.getSessionInfo()`: the session as the coordinator last described it, and this client's view of it. */
export interface SessionInfo {
  sessionId: string;
  /** This client's status. */
  status: ReactorStatus;
  /** The coordinator's session state (`CREATED`, `WAITING`, `ACTIVE`, `INACTIVE`, `CLOSED`, …) at its last answer. */
  state: string;
  cluster: string;
  model: { name: string; version?: string };
  /** `server_info.server_version`. */
  serverVersion: string;
  /** The transport the server selected, once a GPU accepted the session. */
  selectedTransport?: { protocol: string; version: string };
  /** Whether the session records its output (clips need it), when the server says. */
  recording?: { enabled: boolean; chunkSeconds: number };
  /** The current WebRTC connection's id, while connected. */
  connectionId?: number;
  /** Session expiry in ms since the epoch, when known. */
  expiresAt?: number;
}

/** What the view reads from the session. */
export interface SessionViewHost {
  schema(): ModelSchemaDocument | undefined;
  /** Sends `requestSchema` (see `SchemaHost.send`). */
  requestSchema(signal: AbortSignal | undefined): Promise<unknown>;
  connection(): { pc: { getStats(): Promise<ReadonlyMap<string, unknown>> }; connectionId: number } | undefined;
  sessionId(): string | undefined;
  expiresAt(): number | undefined;
  tracks(): Iterable<Track>;
  mainVideo(): Track | undefined;
  /** Emits a `stats` event. */
  emitStats(stats: ReactorStats): void;
  statsIntervalMs: number | undefined;
  logger: Logger;
}

/** See the file comment. */
export class SessionView {
  readonly timer = new ConnectTimer();
  readonly tracksKnown = new TracksKnown();
  readonly schema: SchemaWaits;
  private readonly sampler: StatsSampler;
  private descriptor: SessionDescriptor | undefined;
  private status: ReactorStatus = "disconnected";

  constructor(private readonly host: SessionViewHost) {
    this.schema = new SchemaWaits({
      current: host.schema,
      send: (signal) => host.requestSchema(signal),
      logger: host.logger,
    });
    const interval = host.statsIntervalMs;
    this.sampler = new StatsSampler(
      {
        connection: host.connection,
        probes: () => this.probes(),
        mainVideo: () => host.mainVideo()?.name,
      },
      {
        intervalMs: interval ?? STATS_SAMPLE_INTERVAL_MS,
        ...(interval !== undefined && { onSample: (stats: ReactorStats) => host.emitStats(this.withTimings(stats)) }),
        logger: host.logger,
      },
    );
  }

  /** Feeds the timer and `getSessionInfo()` from the coordinator's answers. */
  readonly coordinator: CoordinatorObserver = {
    sessionCreated: (_session, ms) => this.timer.sessionCreated(ms),
    session: (session) => {
      this.descriptor = session;
    },
    sessionReady: () => this.timer.sessionReady(),
    offerSent: () => this.timer.offerSent(),
    answerReceived: () => this.timer.answerReceived(),
  };

  /** Sees every event the session emits, before the user's listeners do. */
  observe(event: string, args: readonly unknown[]): void {
    if (event === "runtime_message") {
      const message = args[0] as { type?: unknown; data?: unknown };
      if (message.type === "modelSchema") this.schema.received(message.data as ModelSchemaDocument);
    } else if (event === "capabilities_received") {
      this.tracksKnown.settle(true);
    } else if (event === "session_id_changed" && args[0] === undefined) {
      this.descriptor = undefined;
      this.tracksKnown.settle(false);
    } else if (event === "track_received") {
      this.watchFirstFrame(args[1] as Track);
    }
  }

  /** A status transition. */
  onStatus(status: ReactorStatus): void {
    const previous = this.status;
    this.status = status;
    if (status === "ready") this.timer.ready();
    if (previous === "ready") {
      this.sampler.stop();
      this.schema.cancel(reactorError("NOT_READY", "The connection closed before the model sent its schema"));
    }
  }

  /** After every transition to ready, inside connect/reconnect: the schema gate and the first stats sample. */
  async afterReady(signal: AbortSignal): Promise<void> {
    await Promise.all([this.schema.afterReady(signal), this.sampler.start()]);
  }

  /** `disconnect()`: timings and statistics are per connection. */
  reset(): void {
    this.timer.reset();
    this.sampler.stop();
    this.tracksKnown.settle(false);
  }

  /** The latest statistics sample with the current timings, or undefined while not connected. */
  stats(): ReactorStats | undefined {
    const latest = this.sampler.latest;
    return latest && this.withTimings(latest);
  }

  /** The timing breakdown of the last connect that reached ready. */
  timings(): ConnectionTimings | undefined {
    return this.timer.timings;
  }

  /** See {@link SessionInfo}; undefined without a session. */
  sessionInfo(status: ReactorStatus, connectionId: number | undefined): SessionInfo | undefined {
    const d = this.descriptor;
    if (!d || d.sessionId !== this.host.sessionId()) return undefined;
    const expiresAt = this.host.expiresAt();
    return {
      sessionId: d.sessionId,
      status,
      state: d.state,
      cluster: d.cluster,
      model: { ...d.model },
      serverVersion: d.serverInfo.serverVersion,
      ...(d.selectedTransport && { selectedTransport: { ...d.selectedTransport } }),
      ...(d.recording && { recording: { ...d.recording } }),
      ...(connectionId !== undefined && { connectionId }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
  }

  private withTimings(stats: ReactorStats): ReactorStats {
    const timings = this.timer.timings;
    return { ...stats, tracks: { ...stats.tracks }, ...(timings && { connectionTimings: timings }) };
  }

  private probes(): TrackProbe[] {
    const probes: TrackProbe[] = [];
    for (const track of this.host.tracks()) {
      const media = track.boundMedia;
      if (track.direction !== "recvonly" || !media) continue;
      probes.push({
        info: { name: track.name, kind: track.kind, direction: track.direction },
        ...(media.ssrc !== undefined && { ssrc: media.ssrc }),
        frames: media.frames,
      });
    }
    return probes;
  }

  // The first complete frame (marker bit) of the main video track after connect() was called.
  private watchFirstFrame(track: Track): void {
    if (!this.timer.awaitingFirstFrame || track !== this.host.mainVideo()) return;
    const off = track.onRtp((packet) => {
      if (!packet.header.marker) return;
      off();
      this.timer.firstFrame();
    });
  }
}
