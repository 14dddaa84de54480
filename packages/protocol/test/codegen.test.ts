/** The generated v1 code is reproducible from the checked-in .proto files (the golden bytes: packages/contract). */
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
});
