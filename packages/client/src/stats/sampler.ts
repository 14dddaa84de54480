/**
 * Samples the current connection's statistics on an interval while it is up, so `getStats()`
 * answers synchronously (as the official JS SDK's does) with figures at most one interval old,
 * and the opt-in `stats` event gets a fresh sample every interval. One sample at a time; a sample
 * that finishes after `stop()` (or a newer `start()`) is dropped.
 */
import type { Logger } from "../logger.js";
import { buildSample, type TrackProbe } from "./sample.js";
import type { ReactorStats } from "./types.js";

/** What the sampler reads. */
export interface StatsSource {
  /** The current connection's peer and id, or undefined between connections. */
  connection(): { pc: { getStats(): Promise<ReadonlyMap<string, unknown>> }; connectionId?: number } | undefined;
  /** The tracks of the current connection. */
  probes(): TrackProbe[];
  /** The name of the main video track (the one `onFrame` reads), if any. */
  mainVideo(): string | undefined;
}

/** Options of a {@link StatsSampler}. */
export interface StatsSamplerOptions {
  intervalMs: number;
  /** Every sample taken by the interval (not the first one taken by `start()`). */
  onSample?(stats: ReactorStats): void;
  logger: Logger;
}

/** See the file comment. */
export class StatsSampler {
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;
  private last: ReactorStats | undefined;
  private inflight = false;

  constructor(
    private readonly source: StatsSource,
    private readonly options: StatsSamplerOptions,
  ) {}

  /** The latest sample of the current connection, or undefined when there is none. */
  get latest(): ReactorStats | undefined {
    return this.last;
  }

  /** Starts sampling (again) from a clean slate; resolves once the first sample is in (never rejects). */
  async start(): Promise<void> {
    this.stop();
    const generation = this.generation;
    this.timer = setInterval(() => {
      if (this.inflight) return;
      void this.take(generation).then((stats) => {
        if (stats) this.options.onSample?.(stats);
      });
    }, this.options.intervalMs);
    await this.take(generation);
  }

  /** Stops sampling and forgets the last sample (idempotent). */
  stop(): void {
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
    this.inflight = false;
  }

  private async take(generation: number): Promise<ReactorStats | undefined> {
    const connection = this.source.connection();
    if (!connection) return undefined;
    this.inflight = true;
    try {
      const report = await connection.pc.getStats();
      if (generation !== this.generation) return undefined;
      const sample = buildSample(report, this.source.probes(), this.source.mainVideo(), this.last);
      if (connection.connectionId !== undefined) sample.connectionId = connection.connectionId;
      this.last = sample;
      return sample;
    } catch (error) {
      // A peer closing under the sampler: the next connection starts a new sampler run.
      this.options.logger.debug({ err: error }, "stats sample failed");
      return undefined;
    } finally {
      if (generation === this.generation) this.inflight = false;
    }
  }
}
