import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startMockReactor } from "../src/mock.js";
import { FrameNumberUnwrapper } from "../src/video/frame-number.js";
import { readPattern } from "../src/video/reader.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === "true") {
  throw new Error(`browser test: ${CHROMIUM} is required when CI=true (apt-get install -y chromium)`);
}
if (!available) console.log(`[browser.test] skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);

const PAGE = readFileSync(new URL("./browser/page.js", import.meta.url), "utf8");

function pageServer(): Promise<Server> {
  const html = `<!doctype html><html><body><video autoplay muted playsinline></video><canvas></canvas>
<script>window.readPattern = ${readPattern.toString()};</script><script>${PAGE}</script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/favicon")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" }).end(html);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe.skipIf(!available)("a real browser against the testkit", () => {
  // Chromium hides its host addresses behind mDNS names by default; the GPU peer learns the
  // browser's address from its STUN checks (peer-reflexive), as with any real browser client.
  it.each([
    ["multi-connection", "connections"],
    ["legacy single-connection (official JS SDK shape)", "legacy"],
  ])(
    "headless Chromium (%s) speaks the protocol over CORS, decodes main_video and reads the pattern back",
    async (_label, mode) => {
      const { chromium } = await import("playwright-core");
      await using mock = await startMockReactor();
      const server = await pageServer();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
        ],
      });
      try {
        const page = await browser.newPage();
        const { port } = server.address() as AddressInfo;
        await page.goto(
          `http://127.0.0.1:${port}/?api=${encodeURIComponent(mock.url)}&key=${mock.apiKey}&mode=${mode}`,
        );
        const log = () => page.evaluate(() => (globalThis as any).__log as string[]);
        try {
          await page.waitForFunction(() => (globalThis as any).__readings.length >= 15, undefined, { timeout: 30_000 });
        } catch (error) {
          const events = mock.history.events.map((e) => `${e.type}:${JSON.stringify(e.detail ?? "")}`).join(", ");
          const http = mock.history.http
            .map((h) => `${h.method} ${h.path.split("/").slice(-1)[0]} ${h.status}`)
            .join(", ");
          throw new Error(
            `no frames in the browser; page log: ${(await log()).join(" | ")}; events: ${events}; http: ${http}`,
            {
              cause: error,
            },
          );
        }
        const readings: Array<{ frameNumber: number; width: number; height: number; patches: any[]; state: any }> =
          await page.evaluate(() => (globalThis as any).__readings);
        const unwrap = new FrameNumberUnwrapper();
        const counts = readings.map((r) => unwrap.push(r.frameNumber));
        expect(counts.at(-1)!).toBeGreaterThan(counts[0]!);
        expect(readings[0]).toMatchObject({ width: 640, height: 360 });
        const red = readings.at(-1)!.patches.find((p) => p.name === "red");
        expect(red.actual[0]).toBeGreaterThan(180);
        expect(red.actual[1]).toBeLessThan(80);

        await page.evaluate(() => (globalThis as any).__command("set_effect", { effect: "invert" }));
        await page.waitForFunction(
          () => (globalThis as any).__messages.some((m: any) => m.data?.type === "effect_changed"),
          undefined,
          { timeout: 10_000 },
        );
        await page.waitForFunction(() => (globalThis as any).__readings.at(-1)?.state.effect === "invert", undefined, {
          timeout: 20_000,
        });
        const schema = await page.evaluate(() =>
          (globalThis as any).__messages.find((m: any) => m.data?.type === "modelSchema"),
        );
        expect(schema.data.data.openapi).toBe("3.1.0");
        const preflights = mock.history.http.filter((h) => h.headers.origin === `http://127.0.0.1:${port}`);
        expect(preflights.length).toBeGreaterThan(5);
        mock.assertNoUnhandled();
      } finally {
        await browser.close();
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  );
});
