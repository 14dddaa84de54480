/**
 * The session's tracks by name. Tracks are created from capabilities (or from the caller's
 * `modelTracks` before any arrive, or on demand as a `recvonly` video placeholder) and kept for
 * the life of the client, so handlers registered once serve every connection. Per connection it
 * remembers which tracks arrived (`track_received` once per track per connection) and which were
 * resumed (a track's pause gate starts closed on every connection).
 */
import { type Capabilities, type FrameCallback, reactorError, type TrackInfo } from "@reactor-node/protocol";
import { Track, type TrackHost } from "./track.js";

/** Tracks plus the per-connection bookkeeping. */
export class TrackRegistry {
  private readonly byName = new Map<string, Track>();
  private capabilities: Capabilities | undefined;
  /** The caller's `modelTracks`: what the registry knows before (and between) sessions. */
  private preset: Capabilities | undefined;
  private connection = -1;
  private live = false;
  private received = new Set<string>();
  private resumed = new Set<string>();
  private readonly defaultCallbacks = new Map<FrameCallback, (() => void) | undefined>();

  constructor(private readonly host: TrackHost) {}

  /** Every known track, by name. */
  get tracks(): ReadonlyMap<string, Track> {
    return this.byName;
  }

  /** The track called `name`; before capabilities it is created as a placeholder. */
  get(name: string): Track {
    const known = this.byName.get(name);
    if (known) return known;
    if (this.capabilities) {
      const names = this.capabilities.tracks.map((t) => t.name).join(", ");
      throw reactorError("UNKNOWN_TRACK", `The model has no track '${name}' (tracks: ${names || "none"})`);
    }
    const track = new Track({ name, kind: "video", direction: "recvonly" }, this.host);
    this.byName.set(name, track);
    return track;
  }

  /** Declares the tracks the caller knows in advance (`modelTracks`), as provisional capabilities. */
  presetTracks(tracks: readonly TrackInfo[]): void {
    this.preset = { protocolVersion: "", tracks: tracks.map((t) => ({ ...t })), commands: [], emissionFps: null };
    this.applyCapabilities(this.preset);
  }

  /** True once the tracks are known (from capabilities or `modelTracks`). */
  get known(): boolean {
    return this.capabilities !== undefined;
  }

  /** The first received video track of the capabilities (what `reactor.onFrame` reads). */
  defaultVideoTrack(): Track | undefined {
    const info = this.capabilities?.tracks.find((t) => t.kind === "video" && t.direction === "recvonly");
    return info ? this.byName.get(info.name) : undefined;
  }

  /** Adds/updates tracks from capabilities; placeholders the model lacks are reported. */
  applyCapabilities(capabilities: Capabilities): void {
    this.capabilities = capabilities;
    const names = new Set(capabilities.tracks.map((t) => t.name));
    for (const info of capabilities.tracks) {
      const track = this.byName.get(info.name);
      if (track) track.updateInfo(info);
      else this.byName.set(info.name, new Track(info, this.host));
    }
    for (const name of this.byName.keys()) {
      if (!names.has(name)) {
        this.byName.get(name)?.end();
        this.byName.delete(name);
        this.host.reportError(reactorError("UNKNOWN_TRACK", `The model has no track '${name}'`));
      }
    }
    const video = this.defaultVideoTrack();
    if (video) {
      for (const [callback, off] of this.defaultCallbacks) {
        if (!off) this.defaultCallbacks.set(callback, video.onFrame(callback));
      }
    } else if (this.defaultCallbacks.size > 0) {
      this.defaultCallbacks.clear();
      this.host.reportError(
        reactorError("INVALID_ARGUMENT", "onFrame() was used, but the model has no received video track"),
      );
    }
  }

  /** Subscribes to the default video track's frames, now or once capabilities name it. */
  onDefaultFrame(callback: FrameCallback): () => void {
    if (this.capabilities && !this.defaultVideoTrack()) {
      throw reactorError("INVALID_ARGUMENT", "onFrame(): the model has no received video track");
    }
    const video = this.defaultVideoTrack();
    this.defaultCallbacks.set(callback, video?.onFrame(callback));
    return () => {
      this.defaultCallbacks.get(callback)?.();
      this.defaultCallbacks.delete(callback);
    };
  }

  /** A new connection begins: forget which tracks arrived or were resumed. */
  beginConnection(connection: number): void {
    this.connection = connection;
    this.live = true;
    this.received = new Set();
    this.resumed = new Set();
  }

  /** Records that `info` arrived on `connection`; true the first time (fire `track_received`). */
  markReceived(connection: number, info: TrackInfo): boolean {
    if (connection !== this.connection || this.received.has(info.name)) return false;
    this.received.add(info.name);
    return true;
  }

  /** Marks `name` resumed on the current connection; true the first time. */
  markResumed(name: string): boolean {
    if (this.resumed.has(name)) return false;
    this.resumed.add(name);
    return true;
  }

  /** `name` was paused on the current connection (its gate is closed again). */
  markPaused(name: string): void {
    this.resumed.delete(name);
  }

  /** True while a connection exists on which `name` was not resumed (or was paused again). */
  gateClosed(name: string): boolean {
    return this.live && !this.resumed.has(name);
  }

  /** Received tracks that should be resumed (not paused by the user). */
  resumable(): Track[] {
    return (this.capabilities?.tracks ?? [])
      .filter((t) => t.direction === "recvonly")
      .map((t) => this.byName.get(t.name))
      .filter((t): t is Track => t !== undefined && !t.pauseRequested);
  }

  /** Detaches every track from the ended connection. */
  unbindAll(): void {
    this.live = false;
    for (const track of this.byName.values()) track.unbind();
  }

  /** The session ended: detach and end every iterator. */
  endAll(): void {
    for (const track of this.byName.values()) track.end();
  }

  /** A new session may have other capabilities (the caller's `modelTracks` still stand). */
  resetCapabilities(): void {
    this.capabilities = this.preset;
  }
}
