/**
 * Vitest glue: `import { test } from "@reactor-node/testkit/vitest"` gives every test its own
 * fake Reactor (`mock`), closed after the test. Options per file with `test.scoped({ mockOptions })`
 * or by extending further: `test.extend({ mockOptions: { gpus: 2 } })`.
 */
import { test as base } from "vitest";
import { type MockReactor, type MockReactorOptions, startMockReactor } from "./mock.js";

/** The fixtures this module adds. */
export interface MockReactorFixtures {
  /** Options for the test's mock (override with `test.extend({ mockOptions: … })`). */
  mockOptions: MockReactorOptions;
  /** A fresh fake Reactor for this test, closed afterwards. */
  mock: MockReactor;
}

/** `test` with a `mock` fixture. */
export const test = base.extend<MockReactorFixtures>({
  mockOptions: [{}, { injected: true }],
  mock: async ({ mockOptions }, use) => {
    const mock = await startMockReactor(mockOptions);
    try {
      await use(mock);
    } finally {
      await mock.close();
    }
  },
});

export { expect } from "vitest";
export type { MockReactor, MockReactorOptions };
