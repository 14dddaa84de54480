/**
 * The named faults the fake service can inject, as zod schemas. A fault is selected per mock
 * (`options.faults`), per session (`extra_args.testkit` in `POST /sessions` / `/start_session`,
 * or the `Reactor-Testkit-Fault` request header) or from the CLI (`--fault`, `--scenario`).
 * Durations named `ms` are milliseconds; `after` is seconds, counted from the moment the
 * fault's subject exists (first connection connected, channel opened, …).
 */
import { describeIssues, reactorError } from "@reactor-node/protocol";
import { z } from "zod";

/**
 * Bounds on every fault parameter. Faults arrive from anyone who can send a header or a session
 * body, so each one is limited to what a test needs: a delay a test can wait for, a message that
 * is over the protocol's limit without costing the server its heap, a text a human reads.
 */
/** Longest delay a fault may ask for (`ms` parameters). */
const FAULT_MAX_DELAY_MS = 10 * 60 * 1000;
/** Latest a fault may fire (`after` parameters, seconds). */
const FAULT_MAX_AFTER_S = 10 * 60;
/** Largest `oversized-message` (4 MiB: well over the 256 KiB message limit, small for the heap). */
const FAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Longest free text in a fault (`detail`, `message`). */
const FAULT_MAX_TEXT_CHARS = 1024;
/** Longest `http-status` route glob. */
const FAULT_MAX_ROUTE_CHARS = 256;
/** Largest `http-status` count. */
const FAULT_MAX_COUNT = 1_000_000;
/** Largest `Retry-After` an `http-status` fault may send (one day). */
const FAULT_MAX_RETRY_AFTER_S = 24 * 60 * 60;
/** Most frames one `fuzz-messages` fault sends. */
const FAULT_MAX_FUZZ_FRAMES = 100_000;
/** Most faults one header, session body or token may carry. */
export const FAULT_MAX_PER_SOURCE = 16;

const seconds = z.number().nonnegative().max(FAULT_MAX_AFTER_S);
const ms = z.number().int().nonnegative().max(FAULT_MAX_DELAY_MS);
const text = z.string().max(FAULT_MAX_TEXT_CHARS);

/** Every fault name, in documentation order. */
export const FAULT_NAMES = [
  "queue-delay",
  "never-ready",
  "terminal-while-waiting",
  "http-status",
  "sdp-answer-delay",
  "sdp-answer-never",
  "gpu-drop",
  "ice-blackhole",
  "data-channel-close",
  "garbage-messages",
  "oversized-message",
  "fuzz-messages",
  "session-ended",
  "moderation-terminate",
  "schema-never",
] as const;
/** One of {@link FAULT_NAMES}. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** A fault and its parameters; unknown parameters are rejected (strict). */
export const FaultSpecSchema = z.discriminatedUnion("name", [
  /** The session stays `WAITING` for `ms` before a GPU is assigned. */
  z.strictObject({ name: z.literal("queue-delay"), ms }),
  /** The session stays `WAITING` forever. */
  z.strictObject({ name: z.literal("never-ready") }),
  /** While waiting, the session turns `state` after `ms`. */
  z.strictObject({
    name: z.literal("terminal-while-waiting"),
    state: z.enum(["INACTIVE", "CLOSED"]).default("CLOSED"),
    ms: ms.default(0),
  }),
  /**
   * Matching requests answer `status` (with `Retry-After: retryAfter` when given) instead of
   * running, `count` times (every time when omitted). `route` is a glob over `"METHOD /path"`
   * or `"/path"` (`*` matches anything); default every route.
   */
  z.strictObject({
    name: z.literal("http-status"),
    status: z.number().int().min(400).max(599),
    route: z.string().min(1).max(FAULT_MAX_ROUTE_CHARS).default("*"),
    retryAfter: z.number().nonnegative().max(FAULT_MAX_RETRY_AFTER_S).optional(),
    count: z.number().int().positive().max(FAULT_MAX_COUNT).optional(),
    detail: text.optional(),
  }),
  /** The SDP answer becomes visible `ms` later than it is ready. */
  z.strictObject({ name: z.literal("sdp-answer-delay"), ms }),
  /** The SDP answer poll answers 202 forever. */
  z.strictObject({ name: z.literal("sdp-answer-never") }),
  /** `after` s after a connection connects, the GPU closes every peer abruptly (once per session). */
  z.strictObject({ name: z.literal("gpu-drop"), after: seconds.default(1) }),
  /** The GPU answers but never completes ICE (it ignores every STUN check). */
  z.strictObject({ name: z.literal("ice-blackhole") }),
  /** `after` s after it opens, the GPU closes the `channel` data channel. */
  z.strictObject({
    name: z.literal("data-channel-close"),
    after: seconds.default(1),
    channel: z.enum(["data", "control"]).default("data"),
  }),
  /** `after` s after `data` opens, the GPU sends non-JSON text, malformed envelopes and binary junk on both channels. */
  z.strictObject({ name: z.literal("garbage-messages"), after: seconds.default(0.2) }),
  /** `after` s after `data` opens, the GPU sends one message of `bytes` bytes (default > 256 KiB). */
  z.strictObject({
    name: z.literal("oversized-message"),
    after: seconds.default(0.2),
    bytes: z
      .number()
      .int()
      .positive()
      .max(FAULT_MAX_MESSAGE_BYTES)
      .default(300 * 1024),
  }),
  /**
   * `after` s after `data` opens, the GPU sends `count` hostile frames generated from `seed` on
   * both channels (see fuzz.ts), paced, then reports a `fuzz_sent` event.
   */
  z.strictObject({
    name: z.literal("fuzz-messages"),
    after: seconds.default(0.2),
    count: z.number().int().positive().max(FAULT_MAX_FUZZ_FRAMES).default(500),
    seed: z.number().int().nonnegative().max(0xffffffff).default(1),
  }),
  /** `after` s after the first connection connects, the server ends the session with `reason`. */
  z.strictObject({
    name: z.literal("session-ended"),
    after: seconds.default(1),
    reason: z.string().max(64).default("testkit: session ended"),
  }),
  /** `after` s after the first connection connects, the GPU sends `moderation {action:"terminate"}` and ends the session. */
  z.strictObject({
    name: z.literal("moderation-terminate"),
    after: seconds.default(1),
    message: text.default("testkit: content policy violation"),
  }),
  /** The model never answers `requestSchema` (as a model without a schema would). */
  z.strictObject({ name: z.literal("schema-never") }),
]);
/** A parsed fault (defaults applied). */
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
/** A fault as a caller may write it (defaults optional). */
export type FaultInput = z.input<typeof FaultSpecSchema>;
/** The fault named `N`. */
export type FaultOf<N extends FaultName> = Extract<FaultSpec, { name: N }>;

/** Header that selects faults for one request (and, on session creation, for the session). */
export const FAULT_HEADER = "Reactor-Testkit-Fault";
/**
 * Header on `POST /tokens` whose faults the issued JWT carries: every request made with the
 * token (http-status, counted per token) and every session it creates get them — for clients
 * whose headers and `extra_args` cannot be touched.
 */
export const TOKEN_FAULT_HEADER = "Reactor-Testkit-Token-Fault";

function describe(error: z.ZodError): string {
  return describeIssues(error).slice(0, FAULT_MAX_TEXT_CHARS);
}

/** Parses one fault; throws a BAD_REQUEST-coded ReactorError naming the problem. */
function parseFault(input: unknown): FaultSpec {
  const parsed = FaultSpecSchema.safeParse(input);
  if (!parsed.success) {
    const name = typeof input === "object" && input !== null ? (input as { name?: unknown }).name : input;
    const known = FAULT_NAMES.includes(name as FaultName);
    // The name is the sender's: quoted short, never serialised whole (it may be any JSON).
    const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 64)) : typeof name;
    throw reactorError(
      "INVALID_ARGUMENT",
      known
        ? `fault '${String(name)}': ${describe(parsed.error)}`
        : `unknown fault ${shown} (known: ${FAULT_NAMES.join(", ")})`,
    );
  }
  return parsed.data;
}

function bounded<T>(list: readonly T[], where: string): readonly T[] {
  if (list.length > FAULT_MAX_PER_SOURCE) {
    throw reactorError("INVALID_ARGUMENT", `${where}: ${list.length} faults, at most ${FAULT_MAX_PER_SOURCE}`);
  }
  return list;
}

/** Parses a fault, a list of faults (at most {@link FAULT_MAX_PER_SOURCE}), or nothing. */
export function parseFaults(input: unknown): FaultSpec[] {
  if (input === undefined || input === null) return [];
  return bounded(Array.isArray(input) ? input : [input], "faults").map(parseFault);
}

function scalar(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

/**
 * Parses the `Reactor-Testkit-Fault` header: faults separated by `,`, each
 * `name[;key=value]...`, e.g. `http-status;status=503;retryAfter=2;route=GET /sessions/*`.
 */
export function parseFaultHeader(value: string): FaultSpec[] {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  return bounded(parts, "fault header").map((part) => {
    const [name, ...pairs] = part.split(";").map((p) => p.trim());
    const spec: Record<string, unknown> = { name };
    for (const pair of pairs) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      if (eq <= 0) throw reactorError("INVALID_ARGUMENT", `fault header parameter '${pair}' is not key=value`);
      spec[pair.slice(0, eq).trim()] = scalar(pair.slice(eq + 1).trim());
    }
    return parseFault(spec);
  });
}

/**
 * Faults carried by `extra_args.testkit`: `{fault: "<name>", ...params}` or
 * `{faults: [{name, ...params}, ...]}`.
 */
export function faultsFromExtraArgs(extraArgs: Record<string, unknown> | undefined): FaultSpec[] {
  const testkit = extraArgs?.testkit;
  if (testkit === undefined) return [];
  if (typeof testkit !== "object" || testkit === null || Array.isArray(testkit)) {
    throw reactorError("INVALID_ARGUMENT", "extra_args.testkit must be an object");
  }
  const { fault, faults, ...params } = testkit as Record<string, unknown>;
  const out: FaultSpec[] = [];
  if (fault !== undefined) out.push(parseFault({ name: fault, ...params }));
  if (faults !== undefined) out.push(...parseFaults(faults));
  return out;
}

/** Finds the first fault of a name. */
export function findFault<N extends FaultName>(faults: readonly FaultSpec[], name: N): FaultOf<N> | undefined {
  return faults.find((f) => f.name === name) as FaultOf<N> | undefined;
}
