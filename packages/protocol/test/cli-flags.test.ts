/** The one CLI flag parser (both CLIs use it), as a table. */
import { describe, expect, it } from "vitest";
import { FlagError, type FlagSpec, parseFlags } from "../src/cli/flags.js";

const spec: FlagSpec = {
  model: { value: true },
  fault: { value: true, repeat: true },
  json: { value: false },
  help: { value: false, short: "h" },
};

describe("parseFlags", () => {
  it.each([
    [[], {}],
    [["--model", "echo"], { model: ["echo"] }],
    [["--model=echo"], { model: ["echo"] }],
    [["--model=a=b"], { model: ["a=b"] }],
    [["--json", "--model", "-1"], { json: ["true"], model: ["-1"] }],
    [["-h"], { help: ["true"] }],
    [["--fault", "a", "--fault=b"], { fault: ["a", "b"] }],
  ])("%j → %j", (argv, expected) => {
    expect(Object.fromEntries(parseFlags(argv, spec))).toEqual(expected);
  });

  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [["--constructor"], "Unknown option '--constructor'"],
    [["-x"], "Unknown option '-x'"],
    [["--model"], "option '--model' needs a value"],
    [["--model", "--json"], "option '--model' needs a value"],
    [["--json=yes"], "option '--json' takes no value"],
    [["--model", "a", "--model", "b"], "option '--model' given twice"],
    [["echo"], "unexpected argument 'echo'"],
  ])("%j is a FlagError: %s", (argv, message) => {
    expect(() => parseFlags(argv, spec)).toThrow(FlagError);
    expect(() => parseFlags(argv, spec)).toThrow(message);
  });
});
