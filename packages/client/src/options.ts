/** `Reactor` constructor options and their defaults, every option checked up front. */

import { AUDIO_SAMPLE_RATE_MAX, AUDIO_SAMPLE_RATE_MIN } from "@reactor-node/frames";
import {
  DEFAULT_API_URL,
  DEFAULT_LOCAL_URL,
  defaultReconnectPolicy,
  HOSTED_RECONNECT_WINDOW_MS,
  LOCAL_RECONNECT_WINDOW_MS,
  type ReconnectPolicy,
  reactorError,
  type TrackInfo,
  WIRE_NAMES,
  type WireName,
} from "@reactor-node/protocol";
import type { JwtInput } from "./auth/jwt-source.js";
import { type Logger, SILENT_LOGGER } from "./logger.js";
import { STATS_MIN_INTERVAL_MS } from "./stats/types.js";
import type { AudioOutputOptions } from "./tracks/frame-source.js";
import { type Check, checkOptions, describeValue, invalidArgument, is, isPlainObject } from "./validate.js";

/** How long the readiness gate may take after the answer (our choice; ICE + DTLS + SCTP normally take < 2 s). */
export const TRANSPORT_READY_TIMEOUT_MS = 20_000;
/**
 * Default overall deadline of one `connect()` / `reconnect()` (our choice: the session poll's
 * worst case, ≈152 s, plus the SDP poll and the readiness gate). It bounds every wait inside,
 * a server's `Retry-After` included; when it passes the call rejects with TIMEOUT.
 */
export const CONNECT_TIMEOUT_MS = 180_000;
/** Bound on the DELETE/stop a disconnect sends, so `disconnect()` never hangs on a dead coordinator. */
export const END_SESSION_TIMEOUT_MS = 5_000;

/** Options of `new Reactor(...)`. */
export interface ReactorOptions {
  /** The model to run, e.g. `"echo"`. */
  modelName: string;
  /** API key (`rk_…`), exchanged for a JWT at `POST /tokens` during `connect()`. */
  apiKey?: string;
  /** A JWT, or a function returning one (resolved before every request). Takes precedence over `apiKey`. */
  jwt?: JwtInput;
  /** Coordinator base URL (default `https://api.reactor.inc`, or `http://localhost:8080` in local mode). */
  apiUrl?: string;
  /** Talk straight to one runtime (local routes, no auth). */
  local?: boolean;
  /** Resume every received track when ready (default true); a track you `pause()` stays paused. */
  autoResumeTracks?: boolean;
  /** Reconnect automatically after a recoverable drop: `true` = the protocol's default policy. Default off. */
  autoReconnect?: boolean | ReconnectPolicy;
  /** Sent as `extra_args` when the session is created. */
  extraArgs?: Record<string, unknown>;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
  /** Per-request HTTP timeout in ms (default 30 s). */
  requestTimeoutMs?: number;
  /** Overall deadline of each `connect()` / `reconnect()` in ms (default {@link CONNECT_TIMEOUT_MS}, 180 s). */
  connectTimeoutMs?: number;
  /** Readiness-gate timeout after the SDP answer, in ms (default {@link TRANSPORT_READY_TIMEOUT_MS}). */
  transportTimeoutMs?: number;
  /** Attempts of the SDP-answer poll (default 6, ≈12.6 s). */
  sdpPollAttempts?: number;
  /**
   * Ask for per-frame metadata (docs/protocol.md §6, default true): the offer carries
   * `a=x-reactor-frame-metadata:1`, and when the answer echoes it received frames carry
   * `frame.metadata` and published frames may carry `userData`.
   */
  frameMetadata?: boolean;
  /** What received audio tracks deliver: sample rate and channels (default 48 kHz mono). */
  audio?: AudioOutputOptions;
  /**
   * The data-channel encoding (docs/protocol.md §9): `"v1"` (protobuf, correlated command
   * replies) or `"v0"` (JSON text, for services that predate v1). Default {@link DEFAULT_WIRE}.
   */
  wire?: WireName;
  /**
   * Publish again, on the new connection, every track that was published when a connection
   * dropped (publishing does not survive a reconnect on the wire). Default true; with false a
   * drop ends every publisher (`pushFrame` then throws INVALID_ARGUMENT).
   */
  republishOnReconnect?: boolean;
  /**
   * The model's tracks, when known in advance (the official JS SDK's option): the WebRTC offer is
   * then built while the session waits for a GPU, and `track(name)` is checked at once.
   */
  modelTracks?: TrackInfo[];
  /** Emit a `stats` event every this many ms while connected (≥ {@link STATS_MIN_INTERVAL_MS}); off by default. */
  statsIntervalMs?: number;
}

/**
 * The wire a client speaks unless told otherwise: v1, what the current official clients send
 * and what the runtime and the hosted service accept. Only v1 answers commands, so only v1 lets
 * `sendCommand` report an invalid command; `"v0"` is for services that predate it.
 */
export const DEFAULT_WIRE: WireName = "v1";

/** Options with defaults applied. */
export interface ResolvedOptions {
  modelName: string;
  apiKey: string | undefined;
  jwt: JwtInput | undefined;
  apiUrl: string;
  local: boolean;
  autoResumeTracks: boolean;
  reconnectPolicy: ReconnectPolicy | undefined;
  extraArgs: Record<string, unknown> | undefined;
  logger: Logger;
  requestTimeoutMs: number | undefined;
  transportTimeoutMs: number;
  connectTimeoutMs: number;
  sdpPollAttempts: number | undefined;
  frameMetadata: boolean;
  audio: AudioOutputOptions;
  reconnectWindowMs: number;
  wire: WireName;
  republishOnReconnect: boolean;
  modelTracks: TrackInfo[] | undefined;
  statsIntervalMs: number | undefined;
}

function checkAudioOutput(audio: AudioOutputOptions | undefined): void {
  if (audio === undefined) return;
  const { sampleRate, channels } = audio;
  if (
    sampleRate !== undefined &&
    (!Number.isInteger(sampleRate) || sampleRate < AUDIO_SAMPLE_RATE_MIN || sampleRate > AUDIO_SAMPLE_RATE_MAX)
  ) {
    throw reactorError(
      "INVALID_ARGUMENT",
      `audio.sampleRate must be an integer from ${AUDIO_SAMPLE_RATE_MIN} to ${AUDIO_SAMPLE_RATE_MAX} Hz, got ${sampleRate}`,
    );
  }
  if (channels !== undefined && channels !== 1 && channels !== 2) {
    throw reactorError("INVALID_ARGUMENT", `audio.channels must be 1 or 2, got ${String(channels)}`);
  }
}

/** Longest model name accepted (our choice; service names are short, e.g. `reactor/helios`). */
export const MODEL_NAME_MAX_LENGTH = 256;

const modelName: Check = (v) =>
  typeof v === "string" && v.length > 0 && v.length <= MODEL_NAME_MAX_LENGTH && !/[\s\p{Cc}]/u.test(v)
    ? undefined
    : `a model name (1–${MODEL_NAME_MAX_LENGTH} characters, no whitespace or control characters)`;

const logger: Check = (v) =>
  typeof v === "object" &&
  v !== null &&
  ["debug", "info", "warn", "error"].every((m) => typeof (v as Record<string, unknown>)[m] === "function")
    ? undefined
    : "a logger with debug/info/warn/error methods";

const reconnect: Check = (v) =>
  typeof v === "boolean" ||
  (typeof v === "object" && v !== null && typeof (v as ReconnectPolicy).nextDelayMs === "function")
    ? undefined
    : "a boolean or a ReconnectPolicy ({nextDelayMs(context)})";

const statsInterval: Check = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= STATS_MIN_INTERVAL_MS
    ? undefined
    : `a number of ms ≥ ${STATS_MIN_INTERVAL_MS}`;

/** Every constructor option and its check (a new option without a check does not compile). */
const OPTION_CHECKS = {
  modelName,
  apiKey: is.nonEmptyString,
  jwt: is.either((v) => (typeof v === "string" ? undefined : "a string"), is.function),
  apiUrl: is.httpUrl,
  local: is.boolean,
  autoResumeTracks: is.boolean,
  autoReconnect: reconnect,
  extraArgs: is.plainObject,
  logger,
  requestTimeoutMs: is.positiveMs,
  connectTimeoutMs: is.positiveMs,
  transportTimeoutMs: is.positiveMs,
  sdpPollAttempts: is.positiveInteger,
  audio: is.plainObject,
  wire: is.oneOf(WIRE_NAMES),
  republishOnReconnect: is.boolean,
  frameMetadata: is.boolean,
  modelTracks: (v) => (Array.isArray(v) ? undefined : "an array of {name, kind, direction}"),
  statsIntervalMs: statsInterval,
} satisfies Record<keyof ReactorOptions, Check>;

/** Checks a track list given by the caller (`modelTracks`): names unique, kinds and directions known. */
function checkTrackList(call: string, tracks: readonly unknown[]): TrackInfo[] {
  const names = new Set<string>();
  return tracks.map((t, i) => {
    const where = `modelTracks[${i}]`;
    if (!isPlainObject(t))
      throw invalidArgument(call, `${where} must be {name, kind, direction}, got ${describeValue(t)}`);
    const { name, kind, direction } = t;
    if (typeof name !== "string" || name.length === 0)
      throw invalidArgument(call, `${where}.name must be a non-empty string`);
    if (kind !== "video" && kind !== "audio")
      throw invalidArgument(call, `${where}.kind must be "video" or "audio", got ${describeValue(kind)}`);
    if (direction !== "recvonly" && direction !== "sendonly") {
      throw invalidArgument(
        call,
        `${where}.direction must be "recvonly" or "sendonly", got ${describeValue(direction)}`,
      );
    }
    if (names.has(name)) throw invalidArgument(call, `${where}: the track name '${name}' appears twice`);
    names.add(name);
    return { name, kind, direction };
  });
}

/** Validates every option up front and fills in defaults (throws INVALID_ARGUMENT). */
export function resolveOptions(options: ReactorOptions): ResolvedOptions {
  const call = "new Reactor()";
  if (!isPlainObject(options)) {
    throw invalidArgument(call, `needs an options object with a modelName, got ${describeValue(options)}`);
  }
  checkOptions(call, options, OPTION_CHECKS);
  const local = options.local === true;
  if (!local && options.modelName === undefined)
    throw invalidArgument(call, "modelName is required (the model to run)");
  checkAudioOutput(options.audio);
  const auto = options.autoReconnect;
  return {
    modelName: options.modelName ?? "",
    apiKey: options.apiKey,
    jwt: options.jwt,
    apiUrl: options.apiUrl ?? (local ? DEFAULT_LOCAL_URL : DEFAULT_API_URL),
    local,
    autoResumeTracks: options.autoResumeTracks !== false,
    reconnectPolicy: auto === true ? defaultReconnectPolicy() : auto ? auto : undefined,
    extraArgs: options.extraArgs,
    logger: options.logger ?? SILENT_LOGGER,
    requestTimeoutMs: options.requestTimeoutMs,
    transportTimeoutMs: options.transportTimeoutMs ?? TRANSPORT_READY_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    sdpPollAttempts: options.sdpPollAttempts,
    frameMetadata: options.frameMetadata !== false,
    audio: { ...options.audio },
    reconnectWindowMs: local ? LOCAL_RECONNECT_WINDOW_MS : HOSTED_RECONNECT_WINDOW_MS,
    wire: options.wire ?? DEFAULT_WIRE,
    republishOnReconnect: options.republishOnReconnect !== false,
    modelTracks: options.modelTracks && checkTrackList(call, options.modelTracks),
    statsIntervalMs: options.statsIntervalMs,
  };
}
