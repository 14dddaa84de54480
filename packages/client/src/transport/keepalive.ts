/**
 * Liveness (docs/protocol.md §5): the GPU peer closes a connection after 20 s without inbound
 * frames, so the client sends a runtime `ping` every {@link KEEPALIVE_INTERVAL_MS}.
 */
import { KEEPALIVE_INTERVAL_MS } from "@reactor-node/protocol";

/** Calls `ping` every interval until stopped (idempotent stop). */
export class Keepalive {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ping: () => void,
    private readonly intervalMs: number = KEEPALIVE_INTERVAL_MS,
  ) {}

  /** Starts (or restarts) the interval. */
  start(): void {
    this.stop();
    this.timer = setInterval(() => this.ping(), this.intervalMs);
  }

  /** Stops the interval. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
