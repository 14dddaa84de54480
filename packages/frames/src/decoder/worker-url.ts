/**
 * Where the decoder worker's entry file is. From `dist/` it sits next to this module; when this
 * module runs from `src/` (vitest transpiles sources, but not files loaded by `new Worker`) the
 * built entry in `dist/` is used, so tests need `pnpm build` first (turbo's `test` depends on it).
 */
export function workerEntryUrl(relativeFromDist: string, moduleUrl: string): URL {
  if (moduleUrl.endsWith(".ts")) {
    const srcRoot = moduleUrl.slice(0, moduleUrl.lastIndexOf("/src/") + 1);
    return new URL(`dist/${relativeFromDist}`, srcRoot);
  }
  const distRoot = moduleUrl.slice(0, moduleUrl.lastIndexOf("/dist/") + "/dist/".length);
  return new URL(relativeFromDist, distRoot);
}
