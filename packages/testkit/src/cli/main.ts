/**
 * `reactor-testkit`: `serve` a fake Reactor service, join a coordinator as a `gpu` peer, or list
 * `scenarios`. Ctrl-C / SIGTERM closes everything; bad flags print one line and exit 2.
 */
import { isReactorError } from "@reactor-node/protocol";
import { GPU_SECRET_ENV } from "../coordinator/gpu-credential.js";
import { type FaultSpec, parseFaultHeader } from "../faults/spec.js";
import { startGpuPeer } from "../gpu/agent.js";
import type { Logger } from "../logger.js";
import { startMockReactor } from "../mock.js";
import { listScenarios, loadScenario } from "../scenarios.js";
import { DEFAULT_VIDEO_FPS, DEFAULT_VIDEO_HEIGHT, DEFAULT_VIDEO_WIDTH } from "../video/source.js";
import { intFlag, parseFlags, sizeFlag, UsageError } from "./args.js";

const USAGE = `usage:
  reactor-testkit serve [--port 8080] [--host 127.0.0.1] [--gpus N] [--size 640x360] [--fps 30]
                        [--scenario NAME] [--fault SPEC]... [--api-key KEY] [--json] [--verbose]
                        [--allow-host NAME]... [--cors-origin ORIGIN]... [--public-url URL]
  reactor-testkit gpu --coordinator ws://HOST:PORT/_testkit/gpu [--size 640x360] [--fps 30] [--name NAME] [--verbose]
  reactor-testkit scenarios
FAULT SPEC uses the Reactor-Testkit-Fault header syntax, e.g. "http-status;status=503;route=GET /sessions/*;count=2".
The GPU secret: serve prints it (or takes ${GPU_SECRET_ENV}); gpu reads ${GPU_SECRET_ENV}.`;

function stderrLogger(verbose: boolean): Logger {
  const line = (level: string) => (obj: object, msg?: string) => {
    if (!verbose && (level === "debug" || level === "info")) return;
    console.error(`[${level}] ${msg ?? ""} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`);
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

function onSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

async function serve(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    port: { value: true },
    host: { value: true },
    gpus: { value: true },
    size: { value: true },
    fps: { value: true },
    scenario: { value: true },
    fault: { value: true, repeat: true },
    "api-key": { value: true },
    "allow-host": { value: true, repeat: true },
    "cors-origin": { value: true, repeat: true },
    "public-url": { value: true },
    json: { value: false },
    verbose: { value: false },
  });
  const size = sizeFlag(flags);
  const allowHosts = flags.get("allow-host");
  const corsOrigins = flags.get("cors-origin");
  const publicUrl = flags.get("public-url")?.[0];
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+$/.test(publicUrl.replace(/\/+$/, ""))) {
    throw new UsageError(`--public-url must look like http://HOST:PORT, got '${publicUrl}'`);
  }
  const gpuSecret = process.env[GPU_SECRET_ENV] || undefined;
  const fps = intFlag(flags, "fps", 1, 120);
  const scenario = flags.get("scenario")?.[0];
  if (scenario !== undefined) {
    try {
      loadScenario(scenario);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let faults: FaultSpec[] = [];
  try {
    faults = (flags.get("fault") ?? []).flatMap((f) => parseFaultHeader(f));
  } catch (error) {
    throw new UsageError(`--fault: ${(error as Error).message}`);
  }
  const gpus = intFlag(flags, "gpus", 0, 64);
  const port = intFlag(flags, "port", 0, 65535);
  const apiKey = flags.get("api-key")?.[0];
  const mock = await startMockReactor({
    port: port ?? 8080,
    host: flags.get("host")?.[0] ?? "127.0.0.1",
    ...(gpus !== undefined && { gpus }),
    video: { ...(size ?? {}), ...(fps !== undefined && { fps }) },
    ...(scenario !== undefined && { scenario }),
    faults,
    ...(apiKey !== undefined && { apiKey }),
    ...(allowHosts && { allowedHosts: allowHosts.includes("*") ? "*" : allowHosts }),
    ...(corsOrigins && { corsOrigins: corsOrigins.includes("*") ? "*" : corsOrigins }),
    ...(publicUrl !== undefined && { publicUrl }),
    ...(gpuSecret !== undefined && { gpuSecret }),
    logger: stderrLogger(flags.has("verbose")),
  });
  onSignals(() => mock.close());
  if (flags.has("json")) {
    const line = { url: mock.url, apiKey: mock.apiKey, gpuLinkUrl: mock.gpuLinkUrl, gpuSecret: mock.gpuSecret };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    console.log(`Reactor testkit ready
  url:      ${mock.url}
  api key:  ${mock.apiKey}
  GPU link: ${mock.gpuLinkUrl}  (${mock.gpus.length} in-process GPU${mock.gpus.length === 1 ? "" : "s"})
  GPU secret: ${mock.gpuSecret}  (${GPU_SECRET_ENV}=… reactor-testkit gpu --coordinator …)
  video:    ${mock.video.width}x${mock.video.height} @ ${mock.video.fps} fps${scenario ? `\n  scenario: ${scenario}` : ""}
Ctrl-C to stop.`);
  }
}

async function gpu(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    coordinator: { value: true },
    size: { value: true },
    fps: { value: true },
    name: { value: true },
    verbose: { value: false },
  });
  const coordinator = flags.get("coordinator")?.[0];
  if (!coordinator) throw new UsageError("gpu needs --coordinator ws://HOST:PORT/_testkit/gpu");
  if (!/^wss?:\/\//.test(coordinator)) throw new UsageError(`--coordinator must be a ws:// URL, got '${coordinator}'`);
  // From the environment only: a flag would show the secret to every user of the machine (ps).
  const secret = process.env[GPU_SECRET_ENV];
  if (!secret) throw new UsageError(`gpu needs the coordinator's GPU secret in ${GPU_SECRET_ENV}`);
  const size = sizeFlag(flags);
  const name = flags.get("name")?.[0];
  const peer = await startGpuPeer({
    coordinator,
    secret,
    video: {
      width: size?.width ?? DEFAULT_VIDEO_WIDTH,
      height: size?.height ?? DEFAULT_VIDEO_HEIGHT,
      fps: intFlag(flags, "fps", 1, 120) ?? DEFAULT_VIDEO_FPS,
    },
    ...(name !== undefined && { name }),
    logger: stderrLogger(flags.has("verbose")),
  });
  onSignals(() => peer.close());
  console.log(`GPU peer ${peer.id} joined ${coordinator}`);
  await peer.closed;
  console.log("coordinator closed the link; exiting");
  process.exit(0);
}

function scenarios(argv: string[]): void {
  parseFlags(argv, {});
  for (const name of listScenarios()) console.log(`${name.padEnd(24)} ${loadScenario(name).description}`);
}

/** Runs the CLI; resolves when a long-running command is up (signals end it). */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        return await serve(rest);
      case "gpu":
        return await gpu(rest);
      case "scenarios":
        return scenarios(rest);
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return;
      default:
        throw new UsageError(command ? `unknown command '${command}'` : "missing command (serve, gpu, scenarios)");
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`reactor-testkit: ${error.message} (see reactor-testkit help)`);
      process.exit(2);
    }
    console.error(`reactor-testkit: ${isReactorError(error) ? error.toString() : String(error)}`);
    process.exit(1);
  }
}
