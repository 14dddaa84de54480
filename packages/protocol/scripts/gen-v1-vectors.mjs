// Fills the `hex` of every golden v1 vector in test/vectors/v1-messages.json from its `proto`
// (the envelope as protobuf JSON) with `buf convert`: Go's deterministic protobuf encoder, an
// implementation independent of the codec the vectors test. Vectors without `proto` keep
// their hand-written bytes.
//   node scripts/gen-v1-vectors.mjs          (rewrite the hex fields)
//   node scripts/gen-v1-vectors.mjs --check  (exit 1 if any hex differs from buf's bytes)
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const file = join(root, "test/vectors/v1-messages.json");
const buf = join(root, "node_modules/.bin/buf");
const CONCURRENCY = 4;

const scratch = mkdtempSync(join(tmpdir(), "reactor-vectors-"));
try {
  const image = join(scratch, "image.binpb");
  await run(buf, ["build", "-o", image], { cwd: root });
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const entries = [...doc.vectors, doc.frameMetadata].filter((v) => v.proto != null);
  let index = 0;
  const convert = async (v, n) => {
    const input = join(scratch, `${n}.json`);
    writeFileSync(input, JSON.stringify(v.proto));
    const { stdout } = await run(
      buf,
      ["convert", image, "--type", v.type, "--from", `${input}#format=json`, "--to", "-#format=binpb"],
      { cwd: root, encoding: "buffer" },
    );
    return stdout.toString("hex");
  };
  const stale = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (index < entries.length) {
        const n = index++;
        const v = entries[n];
        const hex = await convert(v, n);
        if (v.hex !== hex) stale.push(v.name);
        v.hex = hex;
      }
    }),
  );
  if (process.argv.includes("--check")) {
    if (stale.length > 0) {
      process.stderr.write(`v1 vectors differ from buf's encoding: ${stale.join("; ")}\n`);
      process.exit(1);
    }
    process.stdout.write(`v1 vectors match buf's encoding (${entries.length} messages)\n`);
  } else {
    writeFileSync(file, `${JSON.stringify(doc, null, 1)}\n`);
    process.stdout.write(`wrote ${entries.length} hex fields (${stale.length} changed)\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
