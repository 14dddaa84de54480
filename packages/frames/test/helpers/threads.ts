import { existsSync, readdirSync } from "node:fs";

/** OS threads of this process (Linux /proc), or undefined elsewhere. Worker threads show up here. */
export function osThreadCount(): number | undefined {
  return existsSync("/proc/self/task") ? readdirSync("/proc/self/task").length : undefined;
}

/** Polls until `predicate` holds (threads exit asynchronously after terminate()). */
export async function eventually(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
