/**
 * Hostile requests against `reactor-testkit serve` in its own process, over raw sockets:
 * malformed request lines, headers, bodies, JWTs, fault headers, upgrades, deep nesting and
 * floods. After every case the server must still answer `GET /health` (else: a hang) and still
 * run (else: a crash). Cases, clean 4xx answers, crashes and hangs are counted and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, type Case, type CaseTarget } from "../src/hostile-cases/common.js";
import { payloadCases } from "../src/hostile-cases/payload.js";
import { wireCases } from "../src/hostile-cases/wire.js";
import type { RawAnswer } from "../src/raw-http.js";
import { type Served, startServe } from "../src/serve.js";

interface Tally {
  cases: number;
  clean4xx: number;
  answered2xx: number;
  dropped: number;
  noAnswer: number;
  serverErrors: number;
  crashes: number;
  hangs: number;
  unexpected: string[];
}

let served: Served;
let jwt = "";
let sessionId = "";

beforeAll(async () => {
  // Two GPUs: one for the hosted session below, one free for the local-mode cases.
  served = await startServe(["--gpus", "2", "--size", "96x64", "--fps", "5"]);
  const token = await fetch(`${served.url}/tokens`, { method: "POST", headers: { "Reactor-API-Key": served.apiKey } });
  jwt = ((await token.json()) as { jwt: string }).jwt;
  const created = await fetch(`${served.url}/sessions`, {
    method: "POST",
    headers: { ...API, Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      model: { name: "echo" },
      client_info: { sdk_version: "1", sdk_type: "reliability" },
      supported_transports: [{ protocol: "webrtc", version: "1.0" }],
    }),
  });
  sessionId = ((await created.json()) as { session_id: string }).session_id;
});
afterAll(async () => {
  await served?.close();
});

function cases(): Case[] {
  const target: CaseTarget = { port: served.port, url: served.url, gpuSecret: served.gpuSecret, jwt, sessionId };
  return [...wireCases(target), ...payloadCases(target)];
}

async function healthy(): Promise<boolean> {
  try {
    const res = await fetch(`${served.url}/health`, { signal: AbortSignal.timeout(5000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

function judge(c: Case, answers: RawAnswer[], tally: Tally): void {
  const allowed = Array.isArray(c.expect) ? c.expect : [];
  let serverErrors = 0;
  for (const a of answers) {
    for (const status of a.statuses) if (status >= 500 && !allowed.includes(status)) serverErrors++;
  }
  tally.serverErrors += serverErrors;
  const first = answers[0]!;
  const status = first.status;
  if (status >= 400 && status < 500) tally.clean4xx++;
  else if (status >= 200 && status < 400) tally.answered2xx++;
  else if (status === 0 && first.timedOut) tally.noAnswer++;
  else if (status === 0) tally.dropped++;
  const dropped = status === 0 && !first.timedOut;
  let fits: boolean;
  if (Array.isArray(c.expect)) fits = c.expect.includes(status);
  else if (c.expect === "4xx") fits = (status >= 400 && status < 500) || (c.mayDrop === true && dropped);
  else if (c.expect === "2xx") fits = status >= 200 && status < 300;
  else fits = !first.timedOut || c.mayDrop === true;
  if (serverErrors > 0 || !fits) {
    const seen = status || (first.timedOut ? "no answer" : "closed without answer");
    tally.unexpected.push(`[${c.group}] ${c.name}: ${seen} ${JSON.stringify(first.head.slice(0, 80))}`);
  }
}

describe("hostile requests against reactor-testkit serve", () => {
  it("every case gets a clean answer; the server never crashes or hangs", async () => {
    const tally: Tally = {
      cases: 0,
      clean4xx: 0,
      answered2xx: 0,
      dropped: 0,
      noAnswer: 0,
      serverErrors: 0,
      crashes: 0,
      hangs: 0,
      unexpected: [],
    };
    const groups = new Map<string, { cases: number; clean4xx: number }>();
    for (const c of cases()) {
      tally.cases++;
      const before = tally.clean4xx;
      const answers = await c.run();
      judge(c, answers, tally);
      const g = groups.get(c.group) ?? { cases: 0, clean4xx: 0 };
      g.cases++;
      g.clean4xx += tally.clean4xx - before;
      groups.set(c.group, g);
      if (!served.alive()) {
        tally.crashes++;
        tally.unexpected.push(`[${c.group}] ${c.name}: the server exited (${served.stderr().slice(-500)})`);
        break;
      }
      if (!(await healthy())) {
        tally.hangs++;
        tally.unexpected.push(`[${c.group}] ${c.name}: /health did not answer within 5 s`);
      }
    }
    const stats = served.procStats();
    console.log(
      [
        `[hostile-http] cases=${tally.cases} clean_4xx=${tally.clean4xx} answered_2xx=${tally.answered2xx} ` +
          `closed_without_answer=${tally.dropped} no_answer=${tally.noAnswer} server_errors=${tally.serverErrors} ` +
          `crashes=${tally.crashes} hangs=${tally.hangs}`,
        ...[...groups].map(([group, g]) => `[hostile-http]   ${group}: ${g.cases} cases, ${g.clean4xx} clean 4xx`),
        `[hostile-http] server after: rss=${stats?.rssKiB}KiB fds=${stats?.fds}`,
      ].join("\n"),
    );
    expect(tally.unexpected).toEqual([]);
    expect([tally.crashes, tally.hangs, tally.serverErrors]).toEqual([0, 0, 0]);
  });
});
