import { parseFlags, positiveNumber, resolveTarget } from "../args.js";
import { EXIT } from "../exit-codes.js";
import { CliError, type CliIo } from "../io.js";
import { connectForCli } from "../session.js";

export const CLIP_USAGE =
  "reactor clip --model NAME --seconds N --out FILE.mp4 [--wait S] [--api-url URL] [--local] [--timeout S] [--json]";

/**
 * `reactor clip`: connects, lets the model stream for `--wait` seconds (default: the clip's
 * length, so there is something to cut), asks for the last `--seconds` and downloads the clip
 * as one MP4 file.
 */
export async function clipCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    seconds: { value: true },
    out: { value: true },
    wait: { value: true },
    timeout: { value: true },
  });
  if (flags.help) {
    io.stdout.write(`${CLIP_USAGE}\n`);
    return 0;
  }
  if (flags.seconds === undefined) throw new CliError("--seconds N is required", EXIT.USAGE);
  if (!flags.out) throw new CliError("--out FILE is required", EXIT.USAGE);
  const seconds = positiveNumber("seconds", flags.seconds, 0);
  const wait = flags.wait === undefined ? seconds : Number(flags.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new CliError("--wait must be a number of seconds ≥ 0", EXIT.USAGE);
  const target = resolveTarget(flags, io.env);
  const reactor = await connectForCli(target, positiveNumber("timeout", flags.timeout, 180));
  try {
    await new Promise((r) => setTimeout(r, wait * 1000));
    const clip = await reactor.requestClip(seconds);
    let lastPercent = -1;
    const saved = await reactor.downloadClip(clip, flags.out, {
      onProgress: (p) => {
        const percent = Math.floor((100 * p.partsDone) / p.parts);
        if (flags.json || percent === lastPercent) return;
        lastPercent = percent;
        io.stderr.write(`downloading: ${p.partsDone}/${p.parts} parts, ${p.bytes} bytes\n`);
      },
    });
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ ...clip, ...saved })}\n`);
    } else {
      io.stdout.write(
        `clip ${clip.startMarker.toFixed(3)}–${clip.endMarker.toFixed(3)} s saved to ${saved.path} (${saved.bytes} bytes, ${saved.durationS.toFixed(2)} s)\n`,
      );
    }
    return 0;
  } finally {
    await reactor.disconnect();
  }
}
