/** The generated v1 code and the golden v1 bytes are reproducible from the checked-in sources. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = (name: string) => fileURLToPath(new URL(`../scripts/${name}`, import.meta.url));

describe("v1 code generation", () => {
  it("src/v1/gen is what buf + protoc-gen-es generate from proto/ (no drift)", async () => {
    const { stdout } = await run(process.execPath, [script("gen-proto.mjs"), "--check"]);
    expect(stdout).toMatch(/up to date \(4 files\)/);
  });

  it("every golden v1 vector's bytes are what buf's own encoder makes of its protobuf JSON", async () => {
    const { stdout } = await run(process.execPath, [script("gen-v1-vectors.mjs"), "--check"]);
    expect(stdout).toMatch(/match buf's encoding/);
  });
});
