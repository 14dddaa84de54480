import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Publisher, ReactorMessage, RgbFrame } from "@reactor-node/client";
import { encodePng } from "@reactor-node/frames";
import { parseCommand, parseFlags, positiveNumber, requireApiKey, requireModel, resolveTarget } from "../args.js";
import { EXIT } from "../exit-codes.js";
import { CliError, type CliIo } from "../io.js";
import { pumpGenerated } from "../publish-source.js";
import { connectForCli, waitFor } from "../session.js";

export const CONNECT_USAGE =
  'reactor connect --model NAME [--seconds N] [--snapshot out.png] [--command \'name={"json":"args"}\']... [--publish TRACK]... [--api-url URL] [--local] [--timeout S] [--json]';

/** How long to wait for a model message after each `--command`. */
const REPLY_WAIT_MS = 3_000;

/** `reactor connect`: connects, sends commands, receives video, optionally saves a snapshot. */
export async function connectCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    seconds: { value: true },
    snapshot: { value: true },
    command: { value: true, repeat: true },
    publish: { value: true, repeat: true },
    timeout: { value: true },
  });
  if (flags.help) {
    io.stdout.write(`${CONNECT_USAGE}\n`);
    return 0;
  }
  const seconds = positiveNumber("seconds", flags.seconds, 5);
  const timeoutS = positiveNumber("timeout", flags.timeout, 180);
  const commands = (flags.command ?? []).map(parseCommand);
  const target = resolveTarget(flags, io.env);
  // Fail on missing settings before printing anything, so the error is the only line.
  requireModel(target);
  if (!target.local) requireApiKey(target);
  const say = (line: string) => {
    if (!flags.json) io.stdout.write(`${line}\n`);
  };

  say(`connecting to ${target.apiUrl} (model ${target.modelName ?? "?"})`);
  const startedAt = performance.now();
  const reactor = await connectForCli(target, timeoutS, (status) => say(`status ${status}`));
  try {
    const connectMs = performance.now() - startedAt;
    say(`session ${reactor.getSessionId()} ready in ${connectMs.toFixed(0)} ms`);
    let frames = 0;
    let last: RgbFrame | undefined;
    reactor.onFrame((frame) => {
      frames++;
      last = frame;
    });

    const replies: Array<{ command: string; reply: ReactorMessage | null }> = [];
    for (const { type, data } of commands) {
      const reply = waitFor<ReactorMessage>(
        (l) => reactor.on("message", l),
        () => true,
        REPLY_WAIT_MS,
      );
      await reactor.sendCommand(type, data);
      const message = (await reply) ?? null;
      replies.push({ command: type, reply: message });
      say(
        `command ${type} ${JSON.stringify(data)} → ${message ? `${message.type} ${JSON.stringify(message.data)}` : "no reply"}`,
      );
    }

    // --publish: a generated picture (video input) or tone (audio input) pushed while watching.
    const publishers: Publisher[] = [];
    for (const name of flags.publish ?? []) {
      const publisher = await reactor.track(name).publish();
      publishers.push(publisher);
      say(
        `published ${name} (${publisher.kind}: ${publisher.kind === "video" ? "colour bars, 640x360 @ 30 fps" : "440 Hz tone"})`,
      );
    }
    const stopPumps = new AbortController();
    const pumps = publishers.map((p) => pumpGenerated(p, stopPumps.signal));

    const watchStart = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stopPumps.abort();
    await Promise.all(pumps);
    const published = publishers.map((p) => {
      const s = p.stats();
      const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
      say(`publish ${s.track}: pushed ${s.pushed}, encoded ${s.encoded}, sent ${s.sent}, dropped ${dropped}`);
      return { track: s.track, pushed: s.pushed, encoded: s.encoded, sent: s.sent, dropped };
    });
    await Promise.all(publishers.map((p) => p.unpublish()));
    const elapsed = (performance.now() - watchStart) / 1000;
    const fps = frames / elapsed;
    say(
      `received ${frames} frames in ${elapsed.toFixed(1)} s (${fps.toFixed(1)} fps)${last ? `, ${last.width}x${last.height}` : ""}`,
    );

    let snapshot: string | undefined;
    if (flags.snapshot) {
      if (!last) throw new CliError("no video frame arrived, so there is no snapshot to write", EXIT.FAILED);
      snapshot = resolve(flags.snapshot);
      mkdirSync(dirname(snapshot), { recursive: true });
      writeFileSync(snapshot, encodePng(last.data, last.width, last.height));
      say(`snapshot ${snapshot}`);
    }
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify({
          sessionId: reactor.getSessionId(),
          status: reactor.getStatus(),
          connectMs: Math.round(connectMs),
          frames,
          fps: Number(fps.toFixed(2)),
          width: last?.width ?? null,
          height: last?.height ?? null,
          replies,
          published,
          snapshot: snapshot ?? null,
        })}\n`,
      );
    }
    return 0;
  } finally {
    await reactor.disconnect();
  }
}
