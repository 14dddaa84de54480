/**
 * The client's one door to the data channels (docs/protocol.md §5, §9): every outbound message
 * is encoded by the selected wire's codec and every inbound frame decoded by it, and answers are
 * matched to the requests waiting for them. Nothing else in the client knows which wire is in
 * use: it sends {@link ClientMessage}s and routes {@link ServerMessage}s.
 *
 * Adding a request kind (say a new control request `foo`):
 * 1. protocol: add `"foo"` to `RequestKind`; give `correlation()` of each codec its rule
 *    (`"id"` when the answer carries the request id, `"fifo"` when answers come in order
 *    without one, `"none"` when the wire never answers) and `fifoAnswer()` the answer types of a
 *    `"fifo"` kind; teach both codecs to encode the request and decode its answer.
 * 2. here: `wire.request("foo", (requestId) => ({ kind: "request", method: "foo", requestId: requestId!, data }),
 *    { what: "foo", operation: "…", signal })` resolves with the `ServerMessage` that answered it,
 *    `undefined` on a wire that never answers; it rejects with the peer's error
 *    (`errorFromWire`), TIMEOUT after 10 s, ABORTED, or DATA_CHANNEL_CLOSED when the connection
 *    goes first. An answer that is a message (model, runtime) is still routed as an event.
 */
import {
  type ChannelLabel,
  type ClientMessage,
  detectWire,
  inOperation,
  type ReactorError,
  type ReactorMessage,
  type RequestKind,
  reactorError,
  type ServerMessage,
  type WireCodec,
  type WireName,
  wireCodec,
} from "@reactor-node/protocol";
import { RequestCorrelator, type RequestOptions } from "./correlator.js";

// Runtime messages that are requests, and the kind their answers are matched as.
const RUNTIME_REQUEST_KINDS: Readonly<Record<string, RequestKind | undefined>> = Object.assign(Object.create(null), {
  requestSchema: "schema",
  requestClip: "clip",
  requestRecording: "clip",
});

/** Where encoded frames go: the current connection. */
export interface WireLink {
  /** Sends one frame; throws typed errors (NOT_READY, MESSAGE_TOO_LARGE, DATA_CHANNEL_CLOSED). */
  send(channel: ChannelLabel, payload: string | Uint8Array): void;
  /** The current connection's outbound message limit, in bytes. */
  messageLimit(): number;
}

/** What one inbound frame came to. */
export type Received =
  | { message: ServerMessage }
  | { error: ReactorError }
  /** A correlated error, already delivered to the call waiting for it. */
  | undefined;

/** The selected wire of a session, with its pending requests. */
export class SessionWire {
  readonly codec: WireCodec;
  private readonly correlator = new RequestCorrelator();

  constructor(
    wire: WireName,
    private readonly link: WireLink,
  ) {
    this.codec = wireCodec(wire);
  }

  /** The wire in use. */
  get name(): WireName {
    return this.codec.name;
  }

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.correlator.size;
  }

  /** Sends a message nobody answers (ping, fileUploaded, pause/resume/unpublish). Throws typed errors. */
  notify(message: ClientMessage): void {
    this.send(message);
  }

  /**
   * Sends a request of `kind` built around its id (`undefined` on a wire without ids for it)
   * and resolves with the answer; see the file comment. Throws (synchronously, nothing left
   * waiting) when the request cannot be encoded or sent.
   */
  request(
    kind: RequestKind,
    build: (requestId: string | undefined) => ClientMessage,
    options: RequestOptions,
  ): Promise<ServerMessage | undefined> {
    const correlation = this.codec.correlation(kind);
    const requestId = this.correlator.nextId(kind, correlation);
    // Inbound frames arrive on later event-loop turns, so the answer cannot overtake the wait.
    this.send(build(requestId));
    if (correlation === "none") return Promise.resolve(undefined);
    return this.correlator.wait(kind, requestId, options);
  }

  /**
   * Sends a model command and returns its answer: the model's correlated reply, or `undefined`
   * for a bodyless acknowledgement, and always `undefined` on v0 (which never answers commands).
   * Throws synchronously when it cannot be sent; the promise rejects with what the peer answered
   * (INVALID_COMMAND, UNRESOLVED_UPLOAD, INTERNAL_ERROR, MODEL_ERROR), TIMEOUT or ABORTED.
   */
  command(
    type: string,
    data: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ReactorMessage | undefined> {
    return this.request(
      "command",
      (requestId) => ({ kind: "command", type, data, ...(requestId !== undefined && { requestId }) }),
      { what: `Command '${type}'`, operation: "command", ...(options.signal && { signal: options.signal }) },
    ).then((answer) => (answer?.kind === "model" ? { type: answer.type, data: answer.data } : undefined));
  }

  /**
   * Sends a runtime message by its v0 name (`ping`, `requestSchema`, `fileUploaded`,
   * `requestClip`, `requestRecording`; v0 takes any name). A runtime request still gets the id
   * its wire needs, but nothing waits here: its answer arrives as a `runtime_message` event.
   */
  runtime(type: string, data: unknown): void {
    const kind = RUNTIME_REQUEST_KINDS[type];
    const requestId = kind && this.correlator.nextId(kind, this.codec.correlation(kind));
    this.send({ kind: "runtime", type, data, ...(requestId !== undefined && { requestId }) });
  }

  /**
   * Decodes one inbound frame and settles the request it answers. Never throws. A frame is
   * decoded in its own encoding (text = v0, binary = v1): a GPU peer speaks v0 until our first
   * frame latched its side (docs/protocol.md §9), and text cannot be mistaken for protobuf.
   * Answers are still matched by the selected wire's rules.
   */
  receive(channel: ChannelLabel, frame: unknown): Received {
    const wire = detectWire(frame);
    const decoded = (wire === this.codec.name ? this.codec : wireCodec(wire)).decodeServer(channel, frame);
    if (!decoded.ok) return { error: inOperation(decoded.error, "session") };
    const message = decoded.message;
    if (this.correlator.settle(message, this.codec.fifoAnswer(message)) === "rejected") return undefined;
    return { message };
  }

  /** The connection closed: every waiting request fails with DATA_CHANNEL_CLOSED; ids restart. */
  reset(): void {
    this.correlator.reset((what, operation) =>
      reactorError("DATA_CHANNEL_CLOSED", `The connection closed before ${what} was answered`, { operation }),
    );
  }

  private send(message: ClientMessage): void {
    const frame = this.codec.encodeClient(message, { maxMessageBytes: this.link.messageLimit() });
    this.link.send(frame.channel, frame.payload);
  }
}
