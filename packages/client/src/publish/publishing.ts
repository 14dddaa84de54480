/**
 * The session's publishers (docs/protocol.md §4: one publisher slot per input track across all
 * connections, first come first served; §5 `publish_track` / `unpublish_track`; §6 publishing
 * does not survive a reconnect on the wire). `publish()` checks the track and the session,
 * starts the encoder worker, asks the GPU for the slot and binds the publisher to the
 * connection's sender. After a drop, publishers wait `suspended` and are re-published on the
 * next connection (unless `republishOnReconnect: false`, which ends them at the drop).
 */
import { type AudioInput, createAudioEncoder, createVideoEncoder, type VideoInput } from "@reactor-node/frames";
import { inOperation, isReactorError, type ReactorError, reactorError, type TrackInfo } from "@reactor-node/protocol";
import { raceAbort } from "../abort.js";
import type { Logger } from "../logger.js";
import { Publisher, type PublisherBinding, type PublishOptions, type PushFrameOptions } from "./publisher.js";

/** The connection half publishing needs. */
export interface PublishConnection {
  /**
   * Asks the GPU for the publisher slot of `name` (control `publish_track`, 10 s timeout).
   * Rejects with PUBLISH_REFUSED, TIMEOUT, ABORTED or DATA_CHANNEL_CLOSED.
   */
  requestPublish(name: string, signal?: AbortSignal): Promise<void>;
  /** Releases the slot (`unpublish_track`); throws typed errors when it cannot be sent. */
  unpublish(name: string): void;
  /** The sender of input track `name` on this connection, undefined when the offer had none. */
  binding(name: string): PublisherBinding | undefined;
}

/** What publishing needs from the session. */
export interface PublishingHost {
  reportError(error: ReactorError): void;
  /** The session's status, for NOT_READY messages. */
  status(): string;
  republishOnReconnect: boolean;
  logger: Logger;
}

/** Options of `reactor.publishTrack()`: the publish options plus per-frame ones. */
export interface PublishTrackOptions extends PublishOptions {
  /** Options given to every `pushFrame`. */
  push?: PushFrameOptions;
}

/** See the file comment. */
export class Publishing {
  private readonly publishers = new Map<string, Publisher>();
  private readonly claiming = new Set<string>();
  private connection: PublishConnection | undefined;
  private generation = 0;

  constructor(private readonly host: PublishingHost) {}

  /** The publisher of `name`, if any. */
  get(name: string): Publisher | undefined {
    return this.publishers.get(name);
  }

  /** Publishes input track `info` on the current connection. Throws and emits a typed error. */
  async publish(info: TrackInfo, options: PublishOptions = {}): Promise<Publisher> {
    try {
      return await this.claim(info, options);
    } catch (error) {
      const typed = inOperation(
        isReactorError(error) ? error : reactorError("PUBLISH_REFUSED", String(error), { cause: error }),
        "publish",
      );
      this.host.reportError(typed);
      throw typed;
    }
  }

  /** Publishes `name`, pushes every frame of `source` into it, unpublishes when the source ends. */
  async publishTrack(
    info: TrackInfo,
    source: AsyncIterable<VideoInput | AudioInput> | Iterable<VideoInput | AudioInput>,
    options: PublishTrackOptions = {},
  ): Promise<void> {
    const publisher = await this.publish(info, options);
    const signal = options.signal;
    try {
      for await (const frame of source) {
        if (signal?.aborted) throw reactorError("ABORTED", "publishTrack() was aborted", { cause: signal.reason });
        if (publisher.state === "unpublished") break;
        await publisher.pushFrame(frame, options.push);
      }
    } finally {
      await publisher.unpublish();
    }
  }

  /** A connection became ready: re-publish what was published before. */
  connected(connection: PublishConnection): void {
    this.connection = connection;
    const generation = ++this.generation;
    for (const publisher of this.publishers.values()) {
      if (publisher.state !== "suspended") continue;
      void this.republish(publisher, connection, generation);
    }
  }

  /** The connection closed: pending requests fail, publishers stop sending (or end, if not re-publishing). */
  disconnected(): void {
    this.connection = undefined;
    this.generation++;
    for (const publisher of this.publishers.values()) publisher.unbind();
    if (!this.host.republishOnReconnect) void this.endAll();
  }

  /** The session ended (or the client disconnected for good): every publisher ends. */
  async endAll(): Promise<void> {
    const all = [...this.publishers.values()];
    this.publishers.clear();
    await Promise.all(all.map((p) => p.end()));
  }

  /** Publishers currently known (any state but unpublished). */
  get size(): number {
    return this.publishers.size;
  }

  private async claim(info: TrackInfo, options: PublishOptions): Promise<Publisher> {
    const { name } = info;
    if (options.signal?.aborted)
      throw reactorError("ABORTED", "publish() was aborted", { cause: options.signal.reason });
    const connection = this.connection;
    if (!connection) {
      throw reactorError("NOT_READY", `Cannot publish '${name}': the session is ${this.host.status()}, not ready`);
    }
    if (info.direction !== "sendonly") {
      throw reactorError(
        "INVALID_ARGUMENT",
        `'${name}' is not an input track of this model (it is ${info.direction}); only sendonly tracks can be published`,
      );
    }
    if (this.publishers.has(name) || this.claiming.has(name)) {
      throw reactorError("PUBLISH_REFUSED", `'${name}' is already published by this client`);
    }
    const binding = connection.binding(name);
    if (!binding) throw reactorError("INVALID_ARGUMENT", `The connection has no sender for input track '${name}'`);
    this.claiming.add(name);
    const publisher = this.createPublisher(info, options);
    try {
      await raceAbort(publisher.whenReady, options.signal, "publish()");
      if (this.connection !== connection) {
        throw reactorError("NOT_READY", `The connection closed while the encoder for '${name}' started`);
      }
      await this.request(name, connection, options.signal);
      if (this.connection !== connection) {
        throw reactorError("NOT_READY", `The connection closed while publishing '${name}'`);
      }
      publisher.publisher.bind(binding);
      this.publishers.set(name, publisher.publisher);
      this.host.logger.debug({ track: name }, "track published");
      return publisher.publisher;
    } catch (error) {
      await publisher.publisher.end();
      throw error;
    } finally {
      this.claiming.delete(name);
    }
  }

  private createPublisher(
    info: TrackInfo,
    options: PublishOptions,
  ): { publisher: Publisher; whenReady: Promise<void> } {
    const logger = this.host.logger;
    const host = {
      unpublish: (p: Publisher) => this.release(p),
      reportError: (error: ReactorError) => this.host.reportError(error),
      logger,
    };
    if (info.kind === "audio") {
      const encoder = createAudioEncoder({
        ...(options.channels !== undefined && { channels: options.channels }),
        ...(options.bitrate !== undefined && { bitrate: options.bitrate }),
        logger,
      });
      return {
        publisher: new Publisher(info.name, { kind: "audio", encoder }, host, options.bitrate),
        whenReady: encoder.whenReady(),
      };
    }
    const encoder = createVideoEncoder({
      ...(options.encoder !== undefined && { backend: options.encoder }),
      ...(options.bitrate !== undefined && { bitrate: options.bitrate }),
      ...(options.fps !== undefined && { fps: options.fps }),
      ...(options.backpressure !== undefined && { backpressure: options.backpressure }),
      logger,
    });
    return {
      publisher: new Publisher(info.name, { kind: "video", encoder }, host, options.bitrate),
      whenReady: encoder.whenReady(),
    };
  }

  /** Asks for the slot; resolves when granted, rejects PUBLISH_REFUSED / TIMEOUT / ABORTED / DATA_CHANNEL_CLOSED. */
  private async request(name: string, connection: PublishConnection, signal?: AbortSignal): Promise<void> {
    try {
      await connection.requestPublish(name, signal);
    } catch (error) {
      const typed = inOperation(
        isReactorError(error) ? error : reactorError("PUBLISH_REFUSED", String(error), { cause: error }),
        "publish",
      );
      // An answer may still come after a timeout or abort: do not leave a slot held by nobody.
      if (typed.code === "TIMEOUT" || typed.code === "ABORTED") this.notifyUnpublish(name, connection);
      throw typed;
    }
  }

  private async republish(publisher: Publisher, connection: PublishConnection, generation: number): Promise<void> {
    const binding = connection.binding(publisher.name);
    try {
      if (!binding) throw reactorError("INVALID_ARGUMENT", `The new connection has no sender for '${publisher.name}'`);
      await this.request(publisher.name, connection);
      if (generation !== this.generation || publisher.state !== "suspended") return;
      publisher.bind(binding);
      this.host.logger.debug({ track: publisher.name }, "track re-published after reconnect");
    } catch (error) {
      if (generation !== this.generation || publisher.state === "unpublished") return;
      const typed = isReactorError(error) ? error : reactorError("PUBLISH_REFUSED", String(error));
      this.host.reportError(
        reactorError(
          typed.code === "TIMEOUT" ? "TIMEOUT" : "PUBLISH_REFUSED",
          `Re-publishing '${publisher.name}' after the reconnect failed: ${typed.message}`,
          {
            cause: typed,
          },
        ),
      );
      this.publishers.delete(publisher.name);
      await publisher.end();
    }
  }

  private async release(publisher: Publisher): Promise<void> {
    if (this.publishers.get(publisher.name) === publisher) {
      this.publishers.delete(publisher.name);
      if (publisher.state === "published" && this.connection) this.notifyUnpublish(publisher.name, this.connection);
    }
    await publisher.end();
  }

  private notifyUnpublish(name: string, connection: PublishConnection): void {
    try {
      connection.unpublish(name);
    } catch (error) {
      this.host.logger.debug({ err: error, track: name }, "unpublish_track not sent");
    }
  }
}
