import type { Logger } from "./logger.js";

/**
 * A set of listeners for one event. Dispatch iterates a snapshot, so listeners may unsubscribe
 * while being called; a throwing listener is logged and never breaks the caller.
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly event: string,
  ) {}

  /** Adds a listener; returns its unsubscribe function. */
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  get size(): number {
    return this.set.size;
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        this.logger.error({ err: error, event: this.event }, "listener threw");
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
