// Runs every shell command shown in the project's READMEs, so none of them can rot. Commands
// that need the real service are run against a mock started with `reactor-testkit serve`
// (standing in for api.reactor.inc). A README command this file does not know fails the run.
// Ends with "N passed, M failed".
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const readmes = [
  "README.md",
  "examples/README.md",
  ...readdirSync(join(root, "packages")).map((p) => `packages/${p}/README.md`),
].filter((f) => existsSync(join(root, f)));

/** Every line of every ```sh block. */
const commands = readmes.flatMap((file) => {
  const lines = [];
  let inside = false;
  for (const line of readFileSync(join(root, file), "utf8").split("\n")) {
    if (/^```(sh|bash|shell)\s*$/.test(line)) inside = true;
    else if (line.startsWith("```")) inside = false;
    else if (inside && line.trim() && !line.trim().startsWith("#")) lines.push({ file, command: line.trim() });
  }
  return lines;
});

const DEMO_OUTPUT = [
  /progress\s+[\d.]+ fps\s+latency p50/,
  /reply\s+effect_changed/,
  /snapshot\s+\S+\.png/,
  /summary\s+\d+ frames/,
];

/** How each README command is exercised: a pattern, then what to run and what it must print. */
const RULES = [
  [
    /^npm install -g pnpm@[\d.]+ && pnpm install --frozen-lockfile && pnpm test$/,
    (c) => {
      // Checked, not claimed: CI must run exactly what the README tells people to run.
      const ci = readFileSync(join(root, ".ci/run"), "utf8")
        .split("\n")
        .map((l) => l.trim());
      if (!ci.includes(c)) throw new Error(`.ci/run does not run the README's line \`${c}\``);
      return { covered: ".ci/run runs this line verbatim" };
    },
  ],
  [
    /^npm install -g pnpm@[\d.]+ && pnpm install --frozen-lockfile && pnpm demo$/,
    (c) => ({ run: c, expect: DEMO_OUTPUT }),
  ],
  [
    /^REACTOR_API_KEY=rk_\.\.\. REACTOR_MODEL=\S+ pnpm demo$/,
    (_c, mock) => ({
      run: `REACTOR_API_KEY=${mock.apiKey} REACTOR_API_URL=${mock.url} REACTOR_MODEL=echo pnpm demo`,
      note: "against `reactor-testkit serve` standing in for the real service",
      expect: [/the Reactor service at http:\/\/127\.0\.0\.1:\d+ \(model echo\)/, ...DEMO_OUTPUT],
    }),
  ],
  [
    /^pnpm exec reactor-testkit serve( --port \d+)?( --json)?$/,
    (c) => ({
      run: c.replace(/--port \d+/, "--port 0"),
      server: true,
      expect: [/^\{"url":"http:\/\/127\.0\.0\.1:\d+","apiKey":"[^"]+","gpuLinkUrl":"ws:[^"]+","gpuSecret":"[^"]+"\}$/m],
    }),
  ],
  [
    /^reactor (connect|token|schema|clip)\b/,
    (c, mock) => ({
      // A file the command writes goes to the temp directory, not the work tree.
      run: `node packages/cli/bin/reactor.js ${c
        .replace(/^reactor /, "")
        .replace(/\s+#.*$/, "")
        .replace(/--out (\S+)/, (_m, f) => `--out ${join(tmpdir(), `readme-${f}`)}`)}`,
      env: { REACTOR_API_KEY: mock.apiKey, REACTOR_API_URL: mock.url },
      note: "against `reactor-testkit serve`",
      expect: [
        c.startsWith("reactor token")
          ? /^[\w-]+\.[\w-]+\.[\w-]+$/m
          : c.startsWith("reactor schema")
            ? /set_effect\(/
            : c.startsWith("reactor clip")
              ? /clip [\d.]+–[\d.]+ s saved to \S+ \([1-9]\d* bytes/
              : /received [1-9]\d* frames/,
      ],
    }),
  ],
  [/^node examples\/[\w-]+\.mjs$/, (c) => ({ run: c, expect: [/received [1-9]\d* frames/] })],
  [/^pnpm run docs$/, (c) => ({ run: c, expect: [/html generated at/] })],
];

function sh(command, { env = {}, server = false, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd: root, env: { ...process.env, REACTOR_API_KEY: "", ...env } });
    let output = "";
    let settled = false;
    const finish = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, output });
    };
    const onData = (d) => {
      output += d;
      // A server is proven by its ready line; then it must shut down cleanly on SIGTERM.
      if (server && /\n/.test(output) && !child.killed) child.kill("SIGTERM");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      output += `\n(timed out after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.on("close", (code) => finish(code));
  });
}

/** A mock Reactor in its own process, as other teams run it. */
async function startServe() {
  const child = spawn(
    process.execPath,
    [join(root, "packages/testkit/bin/reactor-testkit.js"), "serve", "--port", "0", "--json"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const line = await new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (d) => {
      buffer += d;
      if (buffer.includes("\n")) resolve(buffer.split("\n")[0]);
    });
    child.on("close", (code) => reject(new Error(`reactor-testkit serve exited ${code}`)));
  });
  const { url, apiKey } = JSON.parse(line);
  return { url, apiKey, close: () => new Promise((r) => child.once("close", r) && child.kill("SIGTERM")) };
}

const mock = await startServe();
let passed = 0;
let failed = 0;
try {
  for (const { file, command } of commands) {
    const rule = RULES.find(([pattern]) => pattern.test(command));
    if (!rule) {
      failed++;
      console.log(`FAIL ${file}: \`${command}\` is not exercised: add a rule to examples/readme-commands.mjs`);
      continue;
    }
    let plan;
    try {
      plan = rule[1](command, mock);
    } catch (error) {
      failed++;
      console.log(`FAIL ${file}: ${error.message}`);
      continue;
    }
    if (plan.covered) {
      passed++;
      console.log(`PASS ${file}: \`${command}\` (${plan.covered})`);
      continue;
    }
    const { code, output } = await sh(plan.run, plan);
    const missing = plan.expect.filter((p) => !p.test(output));
    const ok = code === 0 && missing.length === 0;
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "PASS" : "FAIL"} ${file}: \`${command}\`${plan.note ? ` (${plan.note})` : ""}`);
    if (!ok)
      console.log(`  exit ${code}${missing.map((p) => `\n  missing ${p}`).join("")}\n${output.replace(/^/gm, "  | ")}`);
  }
} finally {
  await mock.close();
  for (const leftover of ["out.png"]) rmSync(join(root, leftover), { force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
