import { describe, expect, it } from "vitest";
import {
  appendFrameMetadata,
  clipFromWire,
  decodeFrameMetadata,
  encodeFrameMetadata,
  hasFrameMetadataAttribute,
  resolvePlaylistUrl,
  SessionResponseSchema,
  sessionFromWire,
  stripFrameMetadata,
  timeMicros,
  withFrameMetadataAttribute,
} from "../src/index.js";

describe("frame metadata trailer", () => {
  it("round-trips every field, including 64-bit values", () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const metadata = {
      frameId: (1n << 63n) + 7n,
      captureTimeUs: 1_700_000_000_000_000n,
      userData: Uint8Array.of(9, 8),
    };
    const framed = appendFrameMetadata(payload, metadata);
    expect([...framed.subarray(-4)].map((c) => String.fromCharCode(c)).join("")).toBe("RXMT");
    const split = stripFrameMetadata(framed);
    expect([...split.payload]).toEqual([1, 2, 3, 4, 5]);
    expect(split.metadata).toEqual(metadata);
  });

  it("writes proto3 defaults as absent fields and reads them back as defaults", () => {
    expect(encodeFrameMetadata({ frameId: 0n })).toEqual(new Uint8Array(0));
    expect(stripFrameMetadata(appendFrameMetadata(new Uint8Array([7]), { frameId: 0n })).metadata).toEqual({
      frameId: 0n,
    });
    // captureTimeUs 0 means unset.
    expect(decodeFrameMetadata(Uint8Array.of(0x08, 0x05, 0x10, 0x00))).toEqual({ frameId: 5n });
  });

  it("rejects what a uint64 cannot hold and oversized user data", () => {
    expect(() => encodeFrameMetadata({ frameId: -1n })).toThrow(/uint64/);
    expect(() => encodeFrameMetadata({ frameId: 1n << 64n })).toThrow(/uint64/);
    expect(() => encodeFrameMetadata({ frameId: 1n, userData: new Uint8Array(64 * 1024 + 1) })).toThrow(/at most/);
  });

  it("leaves frames without a well-formed trailer untouched", () => {
    const magicOnly = Uint8Array.from([0x10, 0x20, 0xff, 0xff, 0xff, 0x7f, 0x52, 0x58, 0x4d, 0x54]);
    expect(stripFrameMetadata(magicOnly)).toEqual({ payload: magicOnly });
    const malformed = appendFrameMetadata(new Uint8Array([1]), { frameId: 3n });
    malformed[1] = 0x0f; // wire type 7 does not exist
    expect(stripFrameMetadata(malformed).metadata).toBeUndefined();
  });
});

describe("frame metadata SDP attribute", () => {
  const offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n";

  it("is added once, in the session section", () => {
    const marked = withFrameMetadataAttribute(offer);
    expect(marked).toContain("t=0 0\r\na=x-reactor-frame-metadata:1\r\nm=video");
    expect(withFrameMetadataAttribute(marked)).toBe(marked);
    expect(hasFrameMetadataAttribute(marked)).toBe(true);
  });

  it("does not count when it only appears in a media section", () => {
    expect(hasFrameMetadataAttribute(offer)).toBe(false);
    expect(hasFrameMetadataAttribute(`${offer}a=x-reactor-frame-metadata:1\r\n`)).toBe(false);
  });
});

describe("clips", () => {
  const wire = {
    session_id: "s1",
    kind: "snap" as const,
    start_marker: 1.5,
    end_marker: 3.5,
    now_marker: 3.5,
    predicted_ready_at_ms: 1_700_000_000_000,
    playlist_url: "/clips?session_id=s1&start=1.500&end=3.500",
  };

  it("resolves path-only playlist URLs against the API URL (keeping its path prefix)", () => {
    expect(clipFromWire(wire, "http://127.0.0.1:9000")).toEqual({
      kind: "snap",
      sessionId: "s1",
      startMarker: 1.5,
      endMarker: 3.5,
      nowMarker: 3.5,
      predictedReadyAt: 1_700_000_000_000,
      playlistUrl: "http://127.0.0.1:9000/clips?session_id=s1&start=1.500&end=3.500",
    });
    expect(resolvePlaylistUrl("/clips?a=1", "https://api.example/v1/")).toBe("https://api.example/v1/clips?a=1");
  });

  it("rewrites the origin of absolute playlist URLs to the API's", () => {
    expect(resolvePlaylistUrl("http://10.0.0.7:8080/clips?x=1", "https://api.example")).toBe(
      "https://api.example/clips?x=1",
    );
  });

  it("reads the session body's recording field, ignoring a malformed one", () => {
    const base = {
      session_id: "s",
      state: "ACTIVE",
      cluster: "c",
      model: { name: "echo" },
      server_info: { server_version: "1" },
    };
    const good = sessionFromWire(
      SessionResponseSchema.parse({ ...base, recording: { enabled: true, chunk_seconds: 4 } }),
    );
    expect(good.recording).toEqual({ enabled: true, chunkSeconds: 4 });
    const bad = sessionFromWire(SessionResponseSchema.parse({ ...base, recording: { enabled: "yes" } }));
    expect(bad.recording).toBeUndefined();
  });
});

describe("timeMicros", () => {
  it("is wall-clock microseconds", () => {
    const before = BigInt(Date.now()) * 1000n;
    const now = timeMicros();
    const after = BigInt(Date.now() + 1) * 1000n;
    expect(now >= before - 1000n && now <= after).toBe(true);
  });
});
