/**
 * The echo-style model a fake GPU peer runs: validates commands against its OpenAPI schema
 * with the protocol's `validateCommand`, keeps the state (effect, intensity, caption,
 * overlay), pushes it into the video source so commands visibly change the picture, and
 * answers with model messages (reply to the sender, `state_changed` to everyone).
 */
import {
  type CapabilitiesWire,
  isReactorError,
  listCommands,
  type ModelSchemaDocument,
  type UploadReferenceWire,
  validateCommand,
} from "@reactor-node/protocol";
import { roundToneFrequency, TONE_DEFAULT_HZ } from "../audio/tone.js";
import type { ModelConfig } from "./config.js";
import { type ECHO_EFFECTS, echoSchemaFor } from "./echo-schema.js";

/** A model → client message, `{type, data}`. */
export interface ModelMessage {
  type: string;
  data: unknown;
}

/** What handling one command produced. */
export type CommandOutcome =
  | { ok: true; replies: ModelMessage[]; broadcasts: ModelMessage[] }
  | { ok: false; code: "invalid_command" | "unresolved_upload" | "internal_error"; reason: string };

/** The model's visible state. */
export interface EchoState {
  effect: (typeof ECHO_EFFECTS)[number];
  intensity: number;
  caption: string;
  overlay: { name: string; bytes: Uint8Array; strength: number } | null;
  /** Frequency of the `main_audio` tone, whole hertz. */
  tone: number;
}

/** What the model needs from the GPU peer hosting it. */
export interface EchoHost {
  /** Bytes of an upload of this session; rejects when not resolvable in time. */
  resolveUpload(ref: UploadReferenceWire): Promise<Uint8Array>;
  /** Called after every state change. */
  onState(state: Readonly<EchoState>): void;
}

/** The capabilities a model declares, derived from its schema (client-perspective directions). */
export function capabilitiesOf(schema: ModelSchemaDocument, fps: number): CapabilitiesWire {
  const tracks = (schema["x-reactor"]?.tracks ?? []).map((t) => ({
    name: t.name,
    kind: t.kind,
    direction: t.direction === "out" ? ("recvonly" as const) : ("sendonly" as const),
  }));
  const commands = listCommands(schema).map((c) => {
    const body = schema.paths?.[`/events/${c.name}`]?.post?.requestBody?.content?.["application/json"]?.schema;
    return { name: c.name, ...(c.summary !== undefined && { description: c.summary }), ...(body && { schema: body }) };
  });
  return { protocol_version: "v0", tracks, commands, emission_fps: fps };
}

/** One model instance, owned by one session on one GPU peer. */
export class EchoModel {
  readonly schema: ModelSchemaDocument;
  private readonly state: EchoState = {
    effect: "none",
    intensity: 1,
    caption: "",
    overlay: null,
    tone: TONE_DEFAULT_HZ,
  };

  constructor(
    readonly config: ModelConfig,
    private readonly host: EchoHost,
  ) {
    this.schema = echoSchemaFor(config);
  }

  /** The current state (a snapshot). */
  snapshot(): EchoState {
    return { ...this.state };
  }

  /** Validates and runs one command. Never throws. */
  async handle(
    type: string,
    data: Record<string, unknown>,
    uploads: Record<string, UploadReferenceWire> = {},
  ): Promise<CommandOutcome> {
    const verdict = validateCommand(this.schema, type, data, uploads);
    if (!verdict.ok) return verdict;
    try {
      return await this.run(type, data, uploads);
    } catch (error) {
      if (isReactorError(error) && (error.code === "TIMEOUT" || error.code === "NOT_FOUND")) {
        return { ok: false, code: "unresolved_upload", reason: error.message };
      }
      return { ok: false, code: "internal_error", reason: error instanceof Error ? error.message : String(error) };
    }
  }

  private async run(
    type: string,
    data: Record<string, unknown>,
    uploads: Record<string, UploadReferenceWire>,
  ): Promise<CommandOutcome> {
    const replies: ModelMessage[] = [];
    switch (type) {
      case "set_effect":
        this.state.effect = (data.effect as EchoState["effect"] | undefined) ?? "none";
        replies.push(this.effectChanged());
        break;
      case "set_intensity":
        this.state.intensity = (data.intensity as number | undefined) ?? 1;
        replies.push(this.effectChanged());
        break;
      case "set_caption":
        this.state.caption = (data.caption as string | undefined) ?? "";
        replies.push({ type: "caption_changed", data: { caption: this.state.caption } });
        break;
      case "set_overlay_image": {
        const ref = uploads.overlay_image!;
        const bytes = await this.host.resolveUpload(ref);
        const strength = (data.overlay_strength as number | undefined) ?? 0.5;
        this.state.overlay = { name: ref.name, bytes, strength };
        replies.push({
          type: "overlay_changed",
          data: { name: ref.name, size: bytes.length, overlay_strength: strength },
        });
        break;
      }
      case "set_tone":
        this.state.tone = roundToneFrequency((data.frequency as number | undefined) ?? TONE_DEFAULT_HZ);
        replies.push({ type: "tone_changed", data: { frequency: this.state.tone } });
        break;
      default:
        return { ok: false, code: "internal_error", reason: `no handler for '${type}'` };
    }
    this.host.onState(this.snapshot());
    return { ok: true, replies, broadcasts: [{ type: "state_changed", data: this.stateMessage() }] };
  }

  private effectChanged(): ModelMessage {
    return { type: "effect_changed", data: { effect: this.state.effect, intensity: this.state.intensity } };
  }

  private stateMessage(): Record<string, unknown> {
    return {
      effect: this.state.effect,
      intensity: this.state.intensity,
      caption: this.state.caption,
      overlay: this.state.overlay?.name ?? null,
      tone: this.state.tone,
    };
  }
}
