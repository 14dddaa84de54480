/**
 * Which sessions record: hosted sessions do by default (clips are a hosted feature), local ones
 * do not (the runtime's default, packages/protocol/test/vectors/runtime/echo.session.json). A
 * model's config and the session's `extra_args.recording: {enabled, chunk_seconds}` override
 * that, in that order.
 */
import { describeIssues, RECORDING_CHUNK_SECONDS, RecordingInfoSchema } from "@reactor-node/protocol";
import { z } from "zod";
import type { ModelConfig } from "../model/config.js";
import type { RecordingSettings } from "../recording/recorder.js";
import { HttpError } from "./http.js";

/** Longest chunk a session may ask for (bounds how long a clip stays pending). */
const RECORDING_MAX_CHUNK_SECONDS = 30;

const ExtraArgsRecordingSchema = RecordingInfoSchema.partial().extend({
  chunk_seconds: z.number().positive().max(RECORDING_MAX_CHUNK_SECONDS).optional(),
});

/** The session's recording settings; a malformed `extra_args.recording` is a 400. */
export function recordingFor(model: ModelConfig, local: boolean, extraArgs: unknown): RecordingSettings {
  const raw = (extraArgs as { recording?: unknown } | undefined)?.recording;
  let asked: z.infer<typeof ExtraArgsRecordingSchema> = {};
  if (raw !== undefined) {
    const parsed = ExtraArgsRecordingSchema.strict().safeParse(raw);
    if (!parsed.success) {
      throw new HttpError(400, `extra_args.recording.${describeIssues(parsed.error, { max: 1 })}`);
    }
    asked = parsed.data;
  }
  return {
    enabled: asked.enabled ?? model.recording?.enabled ?? !local,
    chunkSeconds: asked.chunk_seconds ?? model.recording?.chunkSeconds ?? RECORDING_CHUNK_SECONDS,
  };
}
