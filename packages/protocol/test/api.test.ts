import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as protocol from "../src/index.js";
import {
  type FrameCallback,
  REACTOR_EVENTS,
  type ReactorEvent,
  type ReactorState,
  ReactorStatus,
  type RgbFrame,
  SDK_VERSION,
} from "../src/index.js";

describe("the seed's API, TypeScript-shaped", () => {
  it("every name on the seed page has a counterpart", () => {
    // FileRef, ReactorStatus, ReactorState (type), ReactorError, ReactorEvent (type), FrameCallback (type),
    // ConflictError, VersionMismatchError, fetch_jwt_token (client package)
    for (const name of [
      "FileRef",
      "ReactorStatus",
      "ReactorError",
      "ConflictError",
      "VersionMismatchError",
      "REACTOR_EVENTS",
    ]) {
      expect(protocol, name).toHaveProperty(name);
    }
    expectTypeOf<ReactorState>().toHaveProperty("status");
    expectTypeOf<ReactorState>().toHaveProperty("lastError");
    expectTypeOf<FrameCallback>().parameter(0).toEqualTypeOf<RgbFrame>();
  });

  it("ReactorStatus values are exactly the seed's strings", () => {
    expect(Object.values(ReactorStatus)).toEqual(["disconnected", "connecting", "waiting", "ready"]);
    expectTypeOf<ReactorStatus>().toEqualTypeOf<"disconnected" | "connecting" | "waiting" | "ready">();
  });

  it("ReactorEvent is exactly the eight seed names", () => {
    expect(REACTOR_EVENTS).toEqual([
      "status_changed",
      "session_id_changed",
      "message",
      "runtime_message",
      "track_received",
      "error",
      "session_expiration_changed",
      "capabilities_received",
    ]);
    expectTypeOf<ReactorEvent>().toEqualTypeOf<(typeof REACTOR_EVENTS)[number]>();
  });

  it("SDK_VERSION matches package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
