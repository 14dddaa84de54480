/**
 * `@reactor-node/protocol`: the Reactor wire contract as code. zod schemas (snake_case wire
 * shapes) with camelCase API types and the translation between them, version negotiation,
 * the error model, the v0 data-channel codec and pure polling/reconnect policies. No I/O.
 */
export * from "./api.js";
export * from "./constants.js";
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
export * from "./media/frame-metadata.js";
export * from "./media/sdp.js";
export * from "./model-schema.js";
export * from "./policies/backoff.js";
export * from "./policies/reconnect.js";
export * from "./v0/codec.js";
export * from "./v0/messages.js";
