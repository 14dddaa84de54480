/** The status table: each event's status, and no duplicate emissions. */
import { describe, expect, it } from "vitest";
import { SessionStatus, type StatusEvent } from "../../src/session/status.js";

describe("SessionStatus", () => {
  it.each([
    ["negotiating", "connecting"],
    ["session-acquired", "waiting"],
    ["transport-ready", "ready"],
    ["operation-failed", "disconnected"],
    ["connection-lost", "disconnected"],
    ["session-ended", "disconnected"],
    ["disconnected", "disconnected"],
  ] as Array<[StatusEvent, string]>)("%s → %s", (event, status) => {
    const status_ = new SessionStatus(() => {});
    status_.apply("negotiating");
    status_.apply("session-acquired");
    status_.apply(event);
    expect(status_.value).toBe(status);
  });

  it("emits real transitions only, once each", () => {
    const seen: string[] = [];
    const status = new SessionStatus((s, event) => seen.push(`${event}:${s}`));
    for (const event of [
      "disconnected",
      "negotiating",
      "negotiating",
      "session-acquired",
      "transport-ready",
      "connection-lost",
      "disconnected",
    ] as StatusEvent[]) {
      status.apply(event);
    }
    expect(seen).toEqual([
      "negotiating:connecting",
      "session-acquired:waiting",
      "transport-ready:ready",
      "connection-lost:disconnected",
    ]);
  });
});
