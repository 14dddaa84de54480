/**
 * `reactor.frames()`: the main video track's frame iterator (the track `reactor.onFrame` reads),
 * usable before the tracks are known. Until capabilities (or `modelTracks`) name the track, the
 * iterator waits; it ends if the session ends first, and rejects with INVALID_ARGUMENT if the
 * model turns out to have no received video track.
 */
import { type RgbFrame, reactorError } from "@reactor-node/protocol";
import type { FrameIteratorOptions } from "../tracks/frame-source.js";
import type { Track } from "../tracks/track.js";

/** Wakes everyone waiting for the tracks to be known: `true` once they are, `false` if the session ended first. */
export class TracksKnown {
  private waiters = new Set<(known: boolean) => void>();

  /** Resolves on the next {@link settle}. */
  wait(): Promise<boolean> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Wakes every waiter with `known`. */
  settle(known: boolean): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve(known);
  }
}

const DONE: IteratorResult<RgbFrame> = Object.freeze({ done: true, value: undefined });

function noVideo(): Error {
  return reactorError("INVALID_ARGUMENT", "frames(): the model has no received video track");
}

/** The main video track's iterator; `mainTrack()` is undefined while the tracks are unknown or have no video. */
export function mainVideoFrames(
  known: () => boolean,
  mainTrack: () => Track | undefined,
  whenKnown: TracksKnown,
  options: FrameIteratorOptions,
): AsyncIterableIterator<RgbFrame> {
  if (known()) {
    const track = mainTrack();
    if (!track) throw noVideo();
    return track.frames(options);
  }
  let inner: AsyncIterableIterator<RgbFrame> | undefined;
  let ended = options.signal?.aborted === true;
  let wake: (() => void) | undefined;
  const end = async (): Promise<IteratorResult<RgbFrame>> => {
    ended = true;
    options.signal?.removeEventListener("abort", onAbort);
    wake?.();
    await inner?.return?.();
    return DONE;
  };
  const onAbort = (): void => void end();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const iterator: AsyncIterableIterator<RgbFrame> = {
    async next() {
      if (ended) return DONE;
      if (!inner) {
        const settled = await new Promise<boolean>((resolve) => {
          wake = () => resolve(false);
          void whenKnown.wait().then(resolve);
        });
        wake = undefined;
        if (ended || !settled) return end();
        const track = mainTrack();
        if (!track) {
          await end();
          throw noVideo();
        }
        inner = track.frames(options);
      }
      return inner.next();
    },
    return: end,
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
