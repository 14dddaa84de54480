import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  listCommands,
  listModelMessages,
  type ModelSchemaDocument,
  ModelSchemaDocumentSchema,
  validateCommand,
} from "../src/index.js";

const echo = ModelSchemaDocumentSchema.parse(
  JSON.parse(readFileSync(new URL("./vectors/runtime/echo.schema.json", import.meta.url), "utf8")),
) as ModelSchemaDocument;
const brightness = JSON.parse(
  readFileSync(new URL("./vectors/runtime/brightness.schema.json", import.meta.url), "utf8"),
) as ModelSchemaDocument;

describe("model schema document", () => {
  it("lists commands with their parameters", () => {
    const commands = listCommands(echo);
    expect(commands.map((c) => c.name)).toEqual(["set_effect", "set_intensity", "set_caption", "set_overlay_image"]);
    expect(commands[1]!.parameters).toEqual([
      { name: "intensity", type: "number", required: false, default: 1.0, minimum: 0, maximum: 1 },
    ]);
    expect(commands[3]!.parameters.map((p) => [p.name, p.type, p.required])).toEqual([
      ["overlay_image", "upload", true],
      ["overlay_strength", "number", false],
    ]);
    expect(listModelMessages(echo)).toEqual(["effect_changed"]);
    expect(listCommands(brightness).map((c) => c.name)).toContain("set_resolution");
  });

  const ref = { upload_id: "u", name: "a.png", mime_type: "image/png", size: 3 };
  it.each([
    ["set_effect", { effect: "invert" }, {}, null],
    ["set_effect", {}, {}, null],
    ["set_intensity", { intensity: 1 }, {}, null],
    ["set_overlay_image", { overlay_strength: 0.3 }, { overlay_image: ref }, null],
    ["warp_drive", {}, {}, "unknown command 'warp_drive'"],
    ["set_effect", { effect: "invert", speed: 2 }, {}, "speed: unexpected argument"],
    ["set_intensity", { intensity: "high" }, {}, "intensity: expected number, got string"],
    ["set_intensity", { intensity: 1.5 }, {}, "intensity: 1.5 > maximum 1.0"],
    ["set_intensity", { intensity: -0.5 }, {}, "intensity: -0.5 < minimum 0.0"],
    [
      "set_effect",
      { effect: "melt" },
      {},
      'effect: "melt" is not one of "none", "grayscale", "sepia", "edges", "invert", "blur", "pixelate"',
    ],
    ["set_caption", { caption: "x".repeat(201) }, {}, "caption: length 201 > maxLength 200"],
    ["set_overlay_image", { overlay_strength: 0.3 }, {}, "overlay_image: missing required argument"],
    ["set_overlay_image", { overlay_image: "u" }, {}, "overlay_image: expected an upload reference"],
    // first failure wins: unexpected argument is reported before the wrong type
    ["set_intensity", { intensity: "x", other: 1 }, {}, "other: unexpected argument"],
  ])("%s %j → %s", (type, data, uploads, reason) => {
    const result = validateCommand(echo, type, data, uploads);
    if (reason === null) expect(result).toEqual({ ok: true });
    else expect(result).toEqual({ ok: false, code: "invalid_command", reason });
  });
});
