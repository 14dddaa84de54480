/**
 * The echo model's OpenAPI document, after the real runtime's `echo` (packages/protocol/test/
 * vectors/runtime/echo.schema.json): the same commands and `effect_changed`, plus two model messages the
 * testkit adds so every valid command has an observable reply (`caption_changed`,
 * `overlay_changed`) and one broadcast (`state_changed`, sent to every connection).
 */
import type { ModelSchemaDocument } from "@reactor-node/protocol";
import { TONE_DEFAULT_HZ, TONE_MAX_HZ, TONE_MIN_HZ } from "../audio/tone.js";
import type { ModelConfig } from "./config.js";

/** The effects `set_effect` accepts, in the runtime's order. */
export const ECHO_EFFECTS = ["none", "grayscale", "sepia", "edges", "invert", "blur", "pixelate"] as const;
/** Longest caption `set_caption` accepts. */
export const ECHO_CAPTION_MAX_CHARS = 200;

/** Which optional tracks a model instance declares. */
export interface EchoTrackOptions {
  webcam: boolean;
  /** `mic` in, `main_audio` out (the tone) and the `set_tone` command. */
  audio: boolean;
}

/** The document of a configured model (defaults: the runtime echo's four tracks). */
export function echoSchemaFor(config: ModelConfig): ModelSchemaDocument {
  return echoSchema(config.name, { webcam: config.webcam ?? true, audio: config.audio ?? true });
}

const json = (schema: Record<string, unknown>) => ({ required: true, content: { "application/json": { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const reply = (name: string) => ({
  "200": { description: name, content: { "application/json": { schema: ref(name) } } },
});
const webhook = (id: string, schema: string, summary: string) => ({
  post: { operationId: id, requestBody: json(ref(schema)), summary },
});

/** Builds the document for a model named `name`. */
export function echoSchema(name: string, tracks: EchoTrackOptions): ModelSchemaDocument {
  const xTracks: Array<{ name: string; kind: "video" | "audio"; direction: "in" | "out" }> = [];
  if (tracks.webcam) xTracks.push({ name: "webcam", kind: "video", direction: "in" });
  if (tracks.audio) xTracks.push({ name: "mic", kind: "audio", direction: "in" });
  xTracks.push({ name: "main_video", kind: "video", direction: "out" });
  if (tracks.audio) xTracks.push({ name: "main_audio", kind: "audio", direction: "out" });
  const doc = {
    openapi: "3.1.0",
    info: {
      title: name,
      version: "v0.0.0",
      description: "Echo-style synthetic model of @reactor-node/testkit: a machine-readable test pattern with effects.",
    },
    "x-reactor": { tracks: xTracks },
    paths: {
      "/events/set_effect": {
        post: {
          operationId: "set_effect",
          summary: "Video effect to apply",
          requestBody: json({
            type: "object",
            properties: { effect: { type: "string", default: "none", enum: [...ECHO_EFFECTS] } },
          }),
          responses: reply("EffectChanged"),
        },
      },
      "/events/set_intensity": {
        post: {
          operationId: "set_intensity",
          summary: "Effect intensity (0=none, 1=full)",
          requestBody: json({
            type: "object",
            properties: { intensity: { type: "number", default: 1.0, minimum: 0.0, maximum: 1.0 } },
          }),
          responses: reply("EffectChanged"),
        },
      },
      "/events/set_caption": {
        post: {
          operationId: "set_caption",
          summary: "Draw a text caption over the output video",
          requestBody: json({
            type: "object",
            properties: {
              caption: {
                type: "string",
                default: "",
                description: "Caption text; empty clears it",
                maxLength: ECHO_CAPTION_MAX_CHARS,
              },
            },
          }),
          responses: reply("CaptionChanged"),
        },
      },
      "/events/set_overlay_image": {
        post: {
          operationId: "set_overlay_image",
          summary: "Blend an uploaded image over the output video",
          requestBody: json({
            type: "object",
            properties: {
              overlay_image: ref("ReactorUploadReference"),
              overlay_strength: {
                type: "number",
                default: 0.5,
                description: "Overlay opacity (0=hidden, 1=opaque)",
                minimum: 0.0,
                maximum: 1.0,
              },
            },
            required: ["overlay_image"],
          }),
          responses: reply("OverlayChanged"),
        },
      },
      ...(tracks.audio && {
        "/events/set_tone": {
          post: {
            operationId: "set_tone",
            summary: "Frequency of the tone main_audio plays while nothing is published on mic",
            requestBody: json({
              type: "object",
              properties: {
                frequency: {
                  type: "number",
                  default: TONE_DEFAULT_HZ,
                  description: "Hertz, rounded to a whole number",
                  minimum: TONE_MIN_HZ,
                  maximum: TONE_MAX_HZ,
                },
              },
            }),
            responses: reply("ToneChanged"),
          },
        },
      }),
    },
    webhooks: {
      ...(tracks.audio && {
        tone_changed: webhook("tone_changed", "ToneChanged", "Sent when the tone on main_audio changes."),
      }),
      effect_changed: webhook("effect_changed", "EffectChanged", "Sent when the active effect or intensity changes."),
      caption_changed: webhook("caption_changed", "CaptionChanged", "Sent when the caption changes."),
      overlay_changed: webhook("overlay_changed", "OverlayChanged", "Sent when an overlay image was applied."),
      state_changed: webhook("state_changed", "EchoState", "Broadcast to every connection after any change."),
    },
    components: {
      schemas: {
        ReactorUploadReference: {
          type: "object",
          format: "reactor-upload-reference",
          description: "Reference to a file uploaded via the Reactor upload protocol.",
          properties: {
            upload_id: { type: "string", format: "uuid" },
            name: { type: "string" },
            mime_type: { type: "string" },
            size: { type: "integer" },
          },
          required: ["upload_id", "name", "mime_type", "size"],
        },
        EffectChanged: {
          type: "object",
          properties: { effect: { type: "string" }, intensity: { type: "number" } },
          required: ["effect", "intensity"],
        },
        ToneChanged: {
          type: "object",
          properties: { frequency: { type: "integer" } },
          required: ["frequency"],
        },
        CaptionChanged: {
          type: "object",
          properties: { caption: { type: "string" } },
          required: ["caption"],
        },
        OverlayChanged: {
          type: "object",
          properties: {
            name: { type: "string" },
            size: { type: "integer" },
            overlay_strength: { type: "number" },
          },
          required: ["name", "size", "overlay_strength"],
        },
        EchoState: {
          type: "object",
          properties: {
            effect: { type: "string" },
            intensity: { type: "number" },
            caption: { type: "string" },
            overlay: { type: ["string", "null"] },
            tone: { type: "integer" },
          },
          required: ["effect", "intensity", "caption", "overlay"],
        },
      },
    },
  };
  // The document carries OpenAPI fields (responses) the protocol's minimal shape does not name.
  return doc as unknown as ModelSchemaDocument;
}
