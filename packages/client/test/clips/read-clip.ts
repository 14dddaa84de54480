/** Reads a downloaded clip back: its packets through mediabunny (an independent MP4 reader), decoded by the frames package, frame numbers read off the test pattern. */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { createVideoReceiver } from "@reactor-node/frames";
import { FrameNumberUnwrapper, readPattern } from "@reactor-node/testkit";
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from "mediabunny";

/** What is in a clip file. */
export interface ClipContents {
  codec: string | null;
  width: number;
  height: number;
  durationS: number;
  /** Unwrapped frame numbers of every decoded frame, in order. */
  numbers: number[];
}

/** Demuxes and decodes every frame of an MP4 clip. */
export async function readClip(path: string): Promise<ClipContents> {
  const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(await readFile(path)) });
  const track = await input.getPrimaryVideoTrack();
  if (!track) throw new Error("no video track in the clip");
  const durationS = await input.computeDuration();
  await using receiver = createVideoReceiver({ format: "rgb24", policy: "block", queueSize: 1000 });
  const numbers: number[] = [];
  const unwrap = new FrameNumberUnwrapper();
  receiver.onFrame((frame) => {
    const reading = readPattern(frame.data, frame.width, frame.height);
    if (reading) numbers.push(unwrap.push(reading.frameNumber));
  });
  const sink = new EncodedPacketSink(track);
  for await (const packet of sink.packets()) {
    receiver.pushEncodedFrame({
      data: packet.data,
      keyframe: packet.type === "key",
      timestamp: packet.timestamp * 1000,
    });
  }
  await receiver.flush();
  return { codec: track.codec, width: track.codedWidth, height: track.codedHeight, durationS, numbers };
}

/** ffprobe's view of a file, or undefined when ffprobe is not installed. */
export async function ffprobe(path: string): Promise<{ codec: string; durationS: number } | undefined> {
  try {
    const { stdout } = await promisify(execFile)("ffprobe", [
      "-v",
      "error",
      "-show_entries",
      "stream=codec_name:format=duration",
      "-of",
      "json",
      path,
    ]);
    const parsed = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
    return { codec: parsed.streams[0]?.codec_name ?? "", durationS: Number(parsed.format.duration) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
