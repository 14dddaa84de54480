// Generates src/v1/gen/** (the reactor_wire.v1 messages as @bufbuild/protobuf v2 TypeScript) from
// proto/** with the pinned @bufbuild/buf and @bufbuild/protoc-gen-es devDependencies. No network:
// both run from node_modules, and google/protobuf/struct.proto is built into buf.
//   node scripts/gen-proto.mjs          (lint the .proto files, rewrite src/v1/gen)
//   node scripts/gen-proto.mjs --check  (exit 1 if the committed src/v1/gen is stale)
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = join(root, "src/v1/gen");
const buf = join(root, "node_modules/.bin/buf");
const plugin = join(root, "node_modules/@bufbuild/protoc-gen-es/bin/protoc-gen-es");
const template = {
  version: "v2",
  plugins: [{ local: [process.execPath, plugin], out: "gen", opt: ["target=ts", "import_extension=js"] }],
};

function files(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), "reactor-proto-"));
try {
  execFileSync(buf, ["lint"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  execFileSync(buf, ["generate", "--template", JSON.stringify(template), "--output", scratch], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const fresh = files(join(scratch, "gen"));
  if (process.argv.includes("--check")) {
    const committed = files(target);
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
      (name) => fresh.get(name) !== committed.get(name),
    );
    if (stale.length > 0) {
      process.stderr.write(`src/v1/gen is stale (${stale.join(", ")}): run node scripts/gen-proto.mjs\n`);
      process.exit(1);
    }
    process.stdout.write(`src/v1/gen is up to date (${fresh.size} files)\n`);
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(join(scratch, "gen"), target, { recursive: true });
    process.stdout.write(`wrote ${fresh.size} files to src/v1/gen\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
