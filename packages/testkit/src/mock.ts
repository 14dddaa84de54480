/**
 * `startMockReactor()`: a fake Reactor service in one call — coordinator on 127.0.0.1:0, N
 * in-process GPU peers linked over the GPU WebSocket, call history, faults and scenarios.
 */
import { describeIssues, reactorError } from "@reactor-node/protocol";
import { Authority } from "./coordinator/auth.js";
import type { GpuInfo } from "./coordinator/gpu-pool.js";
import { type CoordinatorServer, startCoordinator } from "./coordinator/server.js";
import type { SessionInfo } from "./coordinator/session.js";
import { MockEvents } from "./events.js";
import { type FaultInput, type FaultSpec, parseFaults } from "./faults/spec.js";
import { type GpuPeer, startGpuPeer } from "./gpu/agent.js";
import type { VideoSettings } from "./gpu/link.js";
import { CallHistory, type HistoryLimits } from "./history.js";
import { type Logger, silentLogger } from "./logger.js";
import { type ModelConfig, ModelConfigSchema } from "./model/config.js";
import { loadScenario } from "./scenarios.js";
import { resolveTimings, type Timings } from "./timings.js";
import { type OnUnhandled, resolveOnUnhandled } from "./unhandled.js";
import { DEFAULT_VIDEO_FPS, DEFAULT_VIDEO_HEIGHT, DEFAULT_VIDEO_WIDTH } from "./video/source.js";

/** Options of {@link startMockReactor}. */
export interface MockReactorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Models served, by name or config; default `["echo"]`. The first is the local-mode model. */
  models?: Array<string | ModelConfig>;
  /** In-process GPU peers; default 1. Use 0 and `addGpu()` / the CLI to attach them yourself. */
  gpus?: number;
  /** Video the GPUs stream; default 640×360 @ 30. */
  video?: Partial<VideoSettings>;
  timings?: Partial<Timings>;
  /** Faults for every session of this mock (and every request, for `http-status`). */
  faults?: FaultInput | FaultInput[];
  /** A scenario file name from `scenarios/` (its faults, timings and GPU count; explicit options win). */
  scenario?: string;
  /**
   * What happens to unknown routes, malformed bodies and undecodable data-channel frames (they
   * are always answered 4xx / dropped): `"error"` (default) records them in `history.unhandled`
   * and makes `assertNoUnhandled()` throw, `"warn"` records and logs them, `"bypass"` ignores
   * them, a function receives each one. See unhandled.ts.
   */
  onUnhandled?: OnUnhandled;
  /** @deprecated Use `onUnhandled`: `true` is `"error"`, `false` is `"bypass"`. */
  strict?: boolean;
  /** A fixed API key instead of a random one. */
  apiKey?: string;
  /** How much the call history keeps (default 10 000 entries per list, 32 MiB overall). */
  history?: HistoryLimits;
  /**
   * Host names clients may use besides loopback and the listening address (DNS-rebinding
   * guard); `"*"` allows any. See the README's "Access policy".
   */
  allowedHosts?: string[] | "*";
  /** Exact origins browsers may call from (`"*"`: any); default loopback origins and allowed hosts. */
  corsOrigins?: string[] | "*";
  /** Base URL of presigned upload URLs (default: the listening address). */
  publicUrl?: string;
  /** The secret GPU peers present on the link (default: random). */
  gpuSecret?: string;
  logger?: Logger;
}

/** What `mock.use()` returns: call it (or dispose it) to remove the layer. */
export type MockLayer = (() => void) & Disposable;

/** A running fake Reactor service. */
export interface MockReactor {
  /** Base URL clients pass as `apiUrl`, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** A valid key for `POST /tokens`. */
  readonly apiKey: string;
  /** Where GPU peers dial in (`ws://…/_testkit/gpu`). */
  readonly gpuLinkUrl: string;
  /** What GPU peers present there (`startGpuPeer({secret})`, `REACTOR_TESTKIT_GPU_SECRET`). */
  readonly gpuSecret: string;
  readonly history: CallHistory;
  /** Registered GPU peers (in-process and remote). */
  readonly gpus: GpuInfo[];
  readonly timings: Readonly<Timings>;
  readonly video: Readonly<VideoSettings>;
  /** Every session, oldest first. */
  sessions(): SessionInfo[];
  /** One session. */
  session(id: string): SessionInfo | undefined;
  /** Typed lifecycle events (`session:created`, `connection:opened`, `command`, …): `on`, `waitFor`. */
  readonly events: MockEvents;
  /** Replaces the mock-wide faults (`null` clears them); `use()` layers stay on top. */
  setFault(faults: FaultInput | FaultInput[] | null): void;
  /**
   * Adds faults for this test on top of the mock-wide ones (sessions created from now on, and
   * every request for `http-status`): fault specs, or `{scenario: name}` for a scenario's faults.
   * Returns the disposer that removes them again (idempotent; also `using`-disposable).
   */
  use(...items: Array<FaultInput | FaultInput[] | { scenario: string }>): MockLayer;
  /**
   * Back to how the mock started: every `use()` layer and `setFault()` replacement is dropped
   * (the start options' faults re-armed, counts afresh) and the call history is cleared.
   */
  reset(): void;
  /** Ends a session from the server side (`sessionEnded {reason}`, then closed). */
  endSession(sessionId: string, reason?: string): void;
  /** Starts one more in-process GPU peer. */
  addGpu(): Promise<GpuPeer>;
  /** Resolves once `count` GPUs (in-process or remote) are registered. */
  waitForGpus(count: number): Promise<void>;
  /**
   * Mints a JWT directly (as `POST /tokens` would), optionally carrying faults that every
   * request and session made with it get — for clients you cannot otherwise configure.
   */
  token(options?: { faults?: FaultInput | FaultInput[]; expiresAfterS?: number }): string;
  /** Invalidates every JWT issued so far (the next request with one is a 401). */
  revokeTokens(): void;
  /** Throws (INVALID_RESPONSE ReactorError) if anything was unhandled (with `onUnhandled: "error"`). */
  assertNoUnhandled(): void;
  /** Closes every socket, peer, timer and worker (idempotent). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function modelConfig(m: string | ModelConfig): ModelConfig {
  const parsed = ModelConfigSchema.safeParse(typeof m === "string" ? { name: m } : m);
  if (!parsed.success)
    throw reactorError("INVALID_ARGUMENT", `invalid model config: ${describeIssues(parsed.error, { max: 1 })}`);
  return parsed.data;
}

/** Starts a fake Reactor service. */
export async function startMockReactor(options: MockReactorOptions = {}): Promise<MockReactor> {
  const scenario = options.scenario ? loadScenario(options.scenario) : undefined;
  const logger = options.logger ?? silentLogger;
  const history = new CallHistory(options.history);
  const timings = resolveTimings({ ...scenario?.timings, ...options.timings });
  const video: VideoSettings = {
    width: options.video?.width ?? DEFAULT_VIDEO_WIDTH,
    height: options.video?.height ?? DEFAULT_VIDEO_HEIGHT,
    fps: options.video?.fps ?? DEFAULT_VIDEO_FPS,
  };
  const apiKey = options.apiKey ?? Authority.generateKey();
  const startFaults: FaultSpec[] = [...(scenario?.faults ?? []), ...parseFaults(options.faults)];
  const onUnhandled = resolveOnUnhandled(options.onUnhandled, options.strict);
  const models = (options.models ?? scenario?.models ?? ["echo"]).map(modelConfig);
  const coordinator: CoordinatorServer = await startCoordinator({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    apiKeys: [apiKey],
    models,
    faults: startFaults,
    timings,
    ...(options.timings?.reconnectWindowMs !== undefined && {
      localReconnectWindowMs: options.timings.reconnectWindowMs,
    }),
    onUnhandled,
    history,
    logger,
    ...(options.allowedHosts !== undefined && { allowedHosts: options.allowedHosts }),
    ...(options.corsOrigins !== undefined && { corsOrigins: options.corsOrigins }),
    ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
    ...(options.gpuSecret !== undefined && { gpuSecret: options.gpuSecret }),
  });
  const peers: GpuPeer[] = [];
  const addGpu = async () => {
    const peer = await startGpuPeer({
      coordinator: coordinator.gpuLinkUrl,
      secret: coordinator.gpuSecret,
      video,
      name: `in-process-${peers.length + 1}`,
      logger,
    });
    peers.push(peer);
    return peer;
  };
  const events = new MockEvents(history, logger);
  // Mock-wide faults: a base (the start options', or what setFault() set) plus use() layers.
  let base: FaultSpec[] = startFaults;
  let layers: FaultSpec[][] = [];
  const applyFaults = () => coordinator.setFaults([...base, ...layers.flat()]);
  const fresh = (specs: readonly FaultSpec[]) => specs.map((f) => structuredClone(f));
  let closing: Promise<void> | null = null;
  const close = () => {
    if (closing) return closing;
    closing = (async () => {
      await Promise.all(peers.map((p) => p.close().catch(() => {})));
      await coordinator.close();
      events.close();
      history.dispose();
    })();
    return closing;
  };
  try {
    const count = options.gpus ?? scenario?.gpus ?? 1;
    for (let i = 0; i < count; i++) await addGpu();
  } catch (error) {
    await close();
    throw error;
  }
  const { parts } = coordinator;
  const mock: MockReactor = {
    url: coordinator.url,
    apiKey,
    gpuLinkUrl: coordinator.gpuLinkUrl,
    gpuSecret: coordinator.gpuSecret,
    history,
    timings,
    video,
    get gpus() {
      return parts.pool.list();
    },
    sessions: () => parts.sessions.list().map((s) => s.info()),
    session: (id) => parts.sessions.get(id)?.info(),
    events,
    setFault(next) {
      base = next === null ? [] : parseFaults(next);
      applyFaults();
    },
    use(...items) {
      const layer = items.flatMap((item) =>
        typeof item === "object" && item !== null && !Array.isArray(item) && "scenario" in item
          ? fresh(loadScenario(item.scenario).faults)
          : parseFaults(item),
      );
      layers = [...layers, layer];
      applyFaults();
      let removed = false;
      const remove = () => {
        if (removed) return;
        removed = true;
        layers = layers.filter((l) => l !== layer);
        applyFaults();
      };
      return Object.assign(remove, { [Symbol.dispose]: remove });
    },
    reset() {
      base = fresh(startFaults);
      layers = [];
      applyFaults();
      history.clear();
    },
    endSession(sessionId, reason = "ended by the testkit") {
      const s = parts.sessions.get(sessionId);
      if (!s) throw reactorError("NOT_FOUND", `no session ${sessionId}`);
      parts.sessions.end(s, reason, true);
    },
    addGpu,
    waitForGpus: (count) => parts.pool.waitForCount(count),
    token: (o = {}) =>
      parts.authority.issue(
        apiKey,
        o.expiresAfterS === undefined ? undefined : { expires_after: o.expiresAfterS },
        parseFaults(o.faults),
      ).jwt,
    revokeTokens: () => parts.authority.revokeAll(),
    assertNoUnhandled() {
      if (onUnhandled !== "error" || history.unhandled.length === 0) return;
      const lines = history.unhandled.map((u) => `- [${u.kind}] ${u.detail}`).join("\n");
      throw reactorError(
        "INVALID_RESPONSE",
        `the mock Reactor saw ${history.unhandled.length} unhandled request(s)/frame(s):\n${lines}`,
      );
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return mock;
}
