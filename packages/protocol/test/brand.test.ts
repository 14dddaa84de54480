/**
 * `instanceof` across two copies of this package loaded side by side (an app with a bundled SDK
 * next to a direct one): the built `dist` and a copy of it in a temp directory are imported by
 * a plain Node process, so each copy is its own module instance with its own classes.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(PACKAGE_DIR, "dist");

let copyDir: string;
beforeAll(() => {
  if (!existsSync(join(DIST, "index.js"))) throw new Error(`${DIST} is not built: run pnpm build first`);
  copyDir = mkdtempSync(join(tmpdir(), "reactor-protocol-copy-"));
  cpSync(DIST, join(copyDir, "dist"), { recursive: true });
  writeFileSync(join(copyDir, "package.json"), JSON.stringify({ type: "module" }));
  // The copy resolves its own dependencies (zod) the way an installed package would.
  symlinkSync(join(PACKAGE_DIR, "node_modules"), join(copyDir, "node_modules"), "dir");
});
afterAll(() => {
  if (copyDir) rmSync(copyDir, { recursive: true, force: true });
});

/** Runs `body` in a fresh Node process with `a` (the build) and `b` (the copy) imported. */
function inTwoCopies(body: string): Record<string, unknown> {
  const script = `
    const a = await import(${JSON.stringify(join(DIST, "index.js"))});
    const b = await import(${JSON.stringify(join(copyDir, "dist", "index.js"))});
    const out = {};
    ${body}
    process.stdout.write(JSON.stringify(out));
  `;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
}

describe("error brands across two copies of @reactor-node/protocol", () => {
  it("the copies are distinct classes, yet instanceof and isReactorError agree both ways", () => {
    const out = inTwoCopies(`
      out.distinctClasses = a.ReactorError !== b.ReactorError;
      const fromB = b.reactorError("UNAUTHORIZED", "HTTP 401");
      const fromA = a.reactorError("TIMEOUT", "late");
      out.bInA = fromB instanceof a.ReactorError;
      out.aInB = fromA instanceof b.ReactorError;
      out.isReactorErrorB = a.isReactorError(fromB);
      out.plainErrorInA = new Error("x") instanceof a.ReactorError;
      out.lookAlikeInA = ({ code: "TIMEOUT", recoverable: true, component: "api" }) instanceof a.ReactorError;
      const conflictB = new b.ConflictError("held");
      out.conflictBInA = conflictB instanceof a.ConflictError;
      out.conflictBIsReactorErrorA = conflictB instanceof a.ReactorError;
      out.plainBIsConflictA = fromB instanceof a.ConflictError;
      const vmB = b.errorFromHttpStatus({ status: 426 });
      out.vmBInA = vmB instanceof a.VersionMismatchError;
      out.vmBIsConflictA = vmB instanceof a.ConflictError;
      class Local extends a.ReactorError {}
      out.localOwn = new Local({ code: "NOT_FOUND", message: "m" }) instanceof Local;
      out.otherIsLocal = fromB instanceof Local;
      out.localIsReactorErrorB = new Local({ code: "NOT_FOUND", message: "m" }) instanceof b.ReactorError;
    `);
    expect(out).toEqual({
      distinctClasses: true,
      bInA: true,
      aInB: true,
      isReactorErrorB: true,
      plainErrorInA: false,
      lookAlikeInA: false,
      conflictBInA: true,
      conflictBIsReactorErrorA: true,
      plainBIsConflictA: false,
      vmBInA: true,
      vmBIsConflictA: false,
      localOwn: true,
      otherIsLocal: false,
      localIsReactorErrorB: true,
    });
  });
});
