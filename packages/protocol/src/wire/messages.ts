/**
 * The data-channel messages as both wires carry them (docs/protocol.md §5, §9): one typed
 * message per frame, whichever encoding. v1 messages are the v0 messages of the same name,
 * so runtime messages keep their v0 names (`requestSchema`, `clipReady`, …) and their v0
 * payloads (snake_case wire objects) here; a v1 frame adds the request id it is correlated by.
 */
import type { FileRef } from "../file-ref.js";
import type { ChannelLabel } from "../v0/codec.js";

/** The two data-channel encodings: v0 = JSON text, v1 = protobuf binary. */
export type WireName = "v0" | "v1";
/** Every wire, newest first. */
export const WIRE_NAMES = ["v1", "v0"] as const satisfies readonly WireName[];

/** One frame ready to send: the channel it rides and its payload (text for v0, bytes for v1). */
export interface WireFrame {
  channel: ChannelLabel;
  payload: string | Uint8Array;
}

/** An error answering a request: a wire code (`invalid_command`, …) and a readable message. */
export interface WireError {
  code: string;
  message: string;
}

/** A client → server message. */
export type ClientMessage =
  /** A model command; `requestId` (`data_<n>`) only on v1, where every command is answered. */
  | {
      kind: "command";
      type: string;
      data: Record<string, unknown>;
      /** Upload references by parameter name (top-level FileRefs in `data` are moved here when encoding). */
      uploads?: Record<string, FileRef>;
      requestId?: string;
    }
  /** A runtime message (`ping`, `requestSchema`, `fileUploaded`, `requestClip`, `requestRecording`). */
  | { kind: "runtime"; type: string; data: unknown; requestId?: string }
  /** A control request such as `publish_track` (`ctrl_<n>`). */
  | { kind: "request"; method: string; requestId: string; data: Record<string, unknown> }
  /** A control notification: `pause_track`, `resume_track`, `unpublish_track`. */
  | { kind: "notification"; event: string; name: string }
  /** v1 only: an error the client reports on a channel. */
  | { kind: "response"; channel: ChannelLabel; requestId: string; error: WireError }
  /** v0 only: a frame without an envelope (the raw JSON value, or the text when not JSON). */
  | { kind: "legacy"; value: unknown }
  /** v1 only: a payload this release does not know (proto3 peers see a newer oneof as none). */
  | { kind: "unknown"; requestId?: string };

/** A server → client message. */
export type ServerMessage =
  /** A model message: a broadcast, or (with `requestId`, v1) the reply to that command. */
  | { kind: "model"; type: string; data: unknown; requestId?: string }
  /** A runtime message (`modelSchema`, `clipReady`, `clipFailed`, `moderation`, `sessionEnded`), v1: with the id it answers. */
  | { kind: "runtime"; type: string; data: unknown; requestId?: string }
  /**
   * The answer to a request that carries no message of its own: a control response
   * (`publish_track`, v0 names the `method`), a v1 bodyless acknowledgement of a command, or a
   * correlated error. `channel` is where it travels (`data` for commands). Only an error the
   * server could not tie to a request (v1 NOTIFICATION) has no `requestId`.
   */
  | { kind: "response"; channel: ChannelLabel; requestId?: string; method?: string; data?: unknown; error?: WireError }
  /** v0 only: a frame without an envelope (delivered as an application message). */
  | { kind: "legacy"; value: unknown }
  /** v1 only: a payload this release does not know. */
  | { kind: "unknown"; requestId?: string };

/**
 * What a client asks a server to answer. Requests of one kind are matched to their answers
 * by id or in order, as {@link WireCodec.correlation} says for each wire.
 */
export type RequestKind = "command" | "publish_track" | "schema" | "clip";

/** How a wire matches answers to requests of one kind. */
export type Correlation = "id" | "fifo" | "none";
