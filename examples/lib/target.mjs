// Where the examples connect: the real service when REACTOR_API_KEY is set, otherwise a mock
// Reactor (coordinator + GPU peer) started in this process.
import { startMockReactor } from "@reactor-node/testkit";

/**
 * @returns {Promise<{ options: { modelName: string, apiKey: string, apiUrl?: string },
 *   embedded: boolean, describe: string, close(): Promise<void> }>}
 */
export async function openTarget() {
  const modelName = process.env.REACTOR_MODEL || "echo";
  if (process.env.REACTOR_API_KEY) {
    const apiUrl = process.env.REACTOR_API_URL || undefined;
    return {
      options: { modelName, apiKey: process.env.REACTOR_API_KEY, ...(apiUrl && { apiUrl }) },
      embedded: false,
      describe: `the Reactor service at ${apiUrl ?? "https://api.reactor.inc"} (model ${modelName})`,
      close: async () => {},
    };
  }
  const mock = await startMockReactor();
  return {
    options: { modelName, apiKey: mock.apiKey, apiUrl: mock.url },
    embedded: true,
    describe: `an embedded mock Reactor at ${mock.url} (model ${modelName})`,
    close: () => mock.close(),
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the first `event` payload that satisfies `predicate`, or rejects after `timeoutMs`. */
export function nextEvent(reactor, event, predicate = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = reactor.on(event, (value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}
