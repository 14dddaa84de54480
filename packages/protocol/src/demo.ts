/**
 * A tour of the protocol package: what a client sends and how it reads what comes back.
 * Run with `pnpm demo` from the repository root.
 */
import {
  buildRequestHeaders,
  createSessionRequest,
  decodeDataFrame,
  encodeCommand,
  errorFromHttpStatus,
  FileRef,
  ReactorError,
  SESSION_POLL_SCHEDULE,
  sessionPollDelayMs,
  worstCaseWaitMs,
} from "./index.js";

const line = (label: string, value: unknown) =>
  console.log(`${label.padEnd(28)} ${typeof value === "string" ? value : JSON.stringify(value)}`);

line("headers", buildRequestHeaders({ jwt: "eyJ…", webrtc: true }));
line("POST /sessions", createSessionRequest("echo"));
const ref = new FileRef({ uploadId: "0f8c", name: "cat.png", mimeType: "image/png", size: 1234 });
line("command on the wire", encodeCommand("set_overlay_image", { overlay_image: ref, overlay_strength: 0.5 }));
const reply = decodeDataFrame('{"scope":"application","data":{"type":"effect_changed","data":{"effect":"invert"}}}');
line("decoded model message", reply.ok ? reply.message : String(reply.error));
const bad = decodeDataFrame('{"scope":"runtime","data":{"type":"sessionEnded","data":{}}}');
line("decoded garbage", bad.ok ? bad.message : String(bad.error));
line("HTTP 426", String(errorFromHttpStatus({ status: 426, operation: "POST /sessions" })));
line("HTTP 429 Retry-After: 3", errorFromHttpStatus({ status: 429, retryAfter: "3" }).retryAfter);
line(
  "session poll delays (ms)",
  Array.from({ length: 8 }, (_, i) => sessionPollDelayMs(i)),
);
line("session poll worst case", `${worstCaseWaitMs(SESSION_POLL_SCHEDULE) / 1000} s`);
line(
  "seed error",
  String(
    new ReactorError({ code: "CONNECTION_FAILED", message: "Failed to connect", recoverable: true, component: "api" }),
  ),
);
