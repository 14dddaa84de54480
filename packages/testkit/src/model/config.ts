/** Configuration of a served model (echo-style): its name and which optional parts it has. */
import { z } from "zod";

/** A model the fake service serves. */
export const ModelConfigSchema = z.object({
  name: z.string().min(1),
  version: z.string().optional(),
  /** The `mic` input and `main_audio` output tracks (default true, like the runtime's echo); `main_audio` plays a tone. */
  audio: z.boolean().optional(),
  /** Adds the `webcam` input track (default true). */
  webcam: z.boolean().optional(),
  /** Whether sessions record their output (default: hosted yes, local no) and the chunk length. */
  recording: z
    .object({ enabled: z.boolean().optional(), chunkSeconds: z.number().positive().max(30).optional() })
    .optional(),
  /** Sessions end after this many seconds (`expires_at` in the session body). */
  maxSessionSeconds: z.number().positive().optional(),
});
/** A model's configuration. */
export type ModelConfig = z.infer<typeof ModelConfigSchema>;
