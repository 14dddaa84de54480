/**
 * A track's frame iterator. It outlives connections: while the track is bound it reads the
 * current connection's {@link FrameSource}; when that connection drops it waits for the next
 * one (after `reconnect()`), so a `for await` loop keeps going across a reconnect. It ends on
 * track end (disconnect / session end), abort and `break`, and throws only a decoder failure.
 */
import type { FrameIteratorOptions, FrameSource } from "./frame-source.js";

/** What an iterator needs from its track. */
export interface FrameIteratorHost<F> {
  /** The current connection's source (created lazily), or undefined while unbound. */
  acquireSource(): FrameSource<F> | undefined;
  /** Resolves on the next bind/unbind/end; `false` once the track has ended. */
  nextChange(): Promise<boolean>;
  /** The iterator ended; forget it. */
  release(iterator: TrackFrameIterator<F>): void;
}

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/** See the file comment. One pending `next()` at a time, like every async iterator in `for await`. */
export class TrackFrameIterator<F> implements AsyncIterableIterator<F> {
  private inner: AsyncIterableIterator<F> | undefined;
  private innerSource: FrameSource<F> | undefined;
  private exhaustedSource: FrameSource<F> | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onAbort = (): void => void this.return();

  constructor(
    private readonly host: FrameIteratorHost<F>,
    private readonly options: FrameIteratorOptions,
  ) {
    if (options.signal?.aborted) this.ended = true;
    else options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  async next(): Promise<IteratorResult<F>> {
    for (;;) {
      if (this.ended) return DONE;
      if (!this.inner) {
        const source = this.host.acquireSource();
        if (!source || source === this.exhaustedSource) {
          const alive = await this.interruptible(this.host.nextChange());
          if (alive === false) await this.return();
          continue;
        }
        this.innerSource = source;
        this.inner = source.frames({
          ...(this.options.policy !== undefined && { policy: this.options.policy }),
          ...(this.options.queueSize !== undefined && { queueSize: this.options.queueSize }),
        });
      }
      let result: IteratorResult<F> | undefined;
      try {
        result = await this.interruptible(this.inner.next());
      } catch (error) {
        await this.return();
        throw error;
      }
      if (this.ended || result === undefined) return DONE;
      if (!result.done) return result;
      // The connection's source closed: wait for the next connection's.
      this.exhaustedSource = this.innerSource;
      this.inner = undefined;
      this.innerSource = undefined;
    }
  }

  async return(): Promise<IteratorResult<F>> {
    if (this.ended && !this.inner) return DONE;
    this.ended = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    const inner = this.inner;
    this.inner = undefined;
    this.wake?.();
    this.host.release(this);
    await inner?.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Resolves with `promise`'s value, or undefined as soon as the iterator ends. */
  private interruptible<T>(promise: Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.wake = () => resolve(undefined);
      promise.then(resolve, reject).finally(() => {
        this.wake = undefined;
      });
    });
  }
}
