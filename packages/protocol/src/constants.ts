/**
 * Every constant docs/protocol.md names, in one place, with its unit in the name.
 * Where the protocol is silent the value is our choice, and the comment says so.
 */

/** Production coordinator base URL. */
export const DEFAULT_API_URL = "https://api.reactor.inc";
/** Default base URL of a runtime in local mode (§8). */
export const DEFAULT_LOCAL_URL = "http://localhost:8080";

// §2 Versioning
/** `Reactor-API-Version` and `Reactor-API-Accept-Version` value sent on every coordinator request. */
export const API_VERSION = "1";
/** `Reactor-WebRTC-Version` value sent on every `/transport/webrtc/*` request. */
export const WEBRTC_VERSION = "1.0";
/** The transport protocol this SDK speaks. */
export const TRANSPORT_PROTOCOL = "webrtc";
/** `client_info.sdk_type` for this SDK. */
export const SDK_TYPE = "node";
/** This SDK's version, reported in `client_info.sdk_version`. Kept equal to the package version by a test. */
export const SDK_VERSION = "0.1.0";

// §2 header names
export const HEADER_API_VERSION = "Reactor-API-Version";
export const HEADER_API_ACCEPT_VERSION = "Reactor-API-Accept-Version";
export const HEADER_WEBRTC_VERSION = "Reactor-WebRTC-Version";
export const HEADER_API_KEY = "Reactor-API-Key";
export const HEADER_AUTHORIZATION = "Authorization";
export const HEADER_RETRY_AFTER = "Retry-After";

// §1 Auth
/** The service caps token lifetime at 6 h. */
export const TOKEN_MAX_LIFETIME_S = 6 * 60 * 60;

// §3 Session-ready polling
export const SESSION_POLL_INITIAL_DELAY_MS = 200;
export const SESSION_POLL_BACKOFF_FACTOR = 2;
export const SESSION_POLL_MAX_DELAY_MS = 10_000;
export const SESSION_POLL_MAX_ATTEMPTS = 20;

// §3/§4 SDP-answer polling
export const SDP_POLL_INITIAL_DELAY_MS = 200;
export const SDP_POLL_BACKOFF_FACTOR = 2;
export const SDP_POLL_MAX_DELAY_MS = 15_000;
export const SDP_POLL_MAX_ATTEMPTS = 6;

// §3 reconnect windows
/** How long an INACTIVE hosted session waits for a reconnect before it is CLOSED. */
export const HOSTED_RECONNECT_WINDOW_MS = 30_000;
/** The same window on a bare runtime (local mode). */
export const LOCAL_RECONNECT_WINDOW_MS = 60_000;

// §3 uploads
/** Presigned upload URLs are valid for 15 minutes. */
export const UPLOAD_URL_VALIDITY_MS = 15 * 60 * 1000;

// §4 connections
/** Connection ids are drawn from this inclusive range (1000 invalid, 1001 legacy). */
export const CONNECTION_ID_MIN = 1002;
export const CONNECTION_ID_MAX = 9999;
/** The id the service gives a legacy single-connection client (§4.1). */
export const LEGACY_CONNECTION_ID = 1001;
/** Maximum simultaneous connections per hosted session. */
export const HOSTED_MAX_CONNECTIONS_PER_SESSION = 4;
/** Window for batching trickled ICE candidates into one POST. */
export const ICE_CANDIDATE_BATCH_WINDOW_MS = 25;
/** The server gathers its own candidates for at most this long before answering. */
export const SERVER_ICE_GATHER_MAX_MS = 3_000;
/** Maximum RTP payload size the service sends. */
export const RTP_MAX_PAYLOAD_BYTES = 1200;

// §4 data channel labels; `control` is created first so its SCTP stream id is 0 on every client.
export const CONTROL_CHANNEL_LABEL = "control";
export const DATA_CHANNEL_LABEL = "data";

// §5 liveness and limits
/** Clients send a runtime `ping` this often. */
export const KEEPALIVE_INTERVAL_MS = 5_000;
/** The GPU peer closes a connection after this much inbound silence. */
export const PEER_IDLE_TIMEOUT_MS = 20_000;
/** Fallback SCTP max message size, measured on the UTF-8 JSON. */
export const DATA_CHANNEL_MAX_MESSAGE_BYTES = 256 * 1024;
/** A request (v1 command, control request such as `publish_track`, clip request) without an answer fails after this long. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** An upload a command references must be resolvable within this long on the GPU peer. */
export const UPLOAD_RESOLVE_TIMEOUT_MS = 10_000;
/** `sessionEnded.reason` is at most this long. */
export const SESSION_ENDED_REASON_MAX_CHARS = 64;

// §6 media
/** RTP clock rate of video. */
export const VIDEO_RTP_CLOCK_HZ = 90_000;
/** Opus clock rate. */
export const AUDIO_RTP_CLOCK_HZ = 48_000;
/** Session attribute that asks for per-frame metadata trailers. */
export const FRAME_METADATA_SDP_ATTRIBUTE = "x-reactor-frame-metadata";
/** Magic at the very end of a frame carrying a metadata trailer. */
export const FRAME_METADATA_MAGIC = "RXMT";

// §8 local mode
/** The session id a bare runtime uses in local mode. */
export const LOCAL_SESSION_ID = "00000000-0000-0000-0000-000000000000";
/** `Retry-After` a runtime sends with 503 while its model loads, in seconds. */
export const LOCAL_MODEL_LOADING_RETRY_AFTER_S = 1;

// Our choices where the protocol is silent
/** Largest HTTP response body the client reads, to bound memory on a hostile server. */
export const HTTP_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Default per-request timeout for coordinator calls. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
/** Retries of one idempotent helper request (`GET …/ice_servers`) after its first try (our choice: few, the callers have their own budgets). */
export const REQUEST_RETRY_MAX_ATTEMPTS = 2;
/** First delay before retrying such a request; doubled each time. */
export const REQUEST_RETRY_INITIAL_DELAY_MS = 200;
/** Cap of that delay. */
export const REQUEST_RETRY_MAX_DELAY_MS = 2_000;
/**
 * Longest wait a server's `Retry-After` can impose on one retry (our choice). A day-long value
 * would park `connect()` for a day; the overall deadline decides whether to keep waiting.
 */
export const RETRY_AFTER_MAX_MS = 60_000;
/** Largest delay Node's timers accept (2^31 - 1 ms); anything longer fires after 1 ms. */
export const TIMER_MAX_DELAY_MS = 2_147_483_647;
/** Default reconnect policy: attempts before giving up. */
export const RECONNECT_MAX_ATTEMPTS = 5;
/** Default reconnect policy: first delay. */
export const RECONNECT_INITIAL_DELAY_MS = 500;
/** Default reconnect policy: delay cap. */
export const RECONNECT_MAX_DELAY_MS = 8_000;

// §4/§6 codecs, as plain data for any WebRTC stack (`rtpCodecs()` in media/codecs.ts builds the list)
/** VP8 as this SDK and the testkit negotiate it: NACK, PLI (keyframe requests) and FIR feedback. */
export const VP8_CODEC = Object.freeze({
  mimeType: "video/VP8",
  clockRate: VIDEO_RTP_CLOCK_HZ,
  rtcpFeedback: Object.freeze([
    Object.freeze({ type: "nack" }),
    Object.freeze({ type: "nack", parameter: "pli" }),
    Object.freeze({ type: "ccm", parameter: "fir" }),
  ]),
});
/** Opus 48 kHz, as SDP declares it (two channels). */
export const OPUS_CODEC = Object.freeze({ mimeType: "audio/opus", clockRate: AUDIO_RTP_CLOCK_HZ, channels: 2 });
