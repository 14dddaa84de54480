/**
 * `@reactor-node/protocol`: the Reactor wire contract as code. zod schemas (snake_case wire
 * shapes) with camelCase API types and the translation between them, version negotiation,
 * the error model, the v0 and v1 data-channel codecs behind one interface and pure polling/reconnect policies. No I/O.
 */
export * from "./api.js";
export * from "./constants.js";
export * from "./datachannel/empty-message.js";
export * from "./datachannel/paced-sender.js";
export * from "./errors.js";
export * from "./file-ref.js";
export * from "./http/auth.js";
export * from "./http/local.js";
export * from "./http/routes.js";
export * from "./http/session.js";
export * from "./http/signalling.js";
export * from "./http/status.js";
export * from "./http/uploads.js";
export * from "./http/version.js";
export * from "./logger.js";
export * from "./media/clip.js";
export * from "./media/clock.js";
export * from "./media/codecs.js";
export * from "./media/frame-metadata.js";
export * from "./media/sdp.js";
export * from "./media/vp8.js";
export * from "./model-schema.js";
export * from "./policies/backoff.js";
export * from "./policies/reconnect.js";
export * from "./policies/retry-after.js";
export * from "./v0/codec.js";
export * from "./v0/messages.js";
export * from "./v1/decode.js";
export * from "./v1/encode.js";
/** The generated `reactor_wire.v1` protobuf messages (for `FrameMetadata` and low-level use). */
export * as v1Proto from "./v1/proto.js";
export * from "./wire/codec.js";
export * from "./wire/codecs.js";
export * from "./wire/command.js";
export * from "./wire/errors.js";
export * from "./wire/json.js";
export * from "./wire/messages.js";
export * from "./zod-issues.js";
