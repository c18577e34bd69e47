/**
 * Issue 12 item 16: the tool list (name + description + inputSchema of every tool, as JSON) is sent
 * with every model request. This prints its size with every vendor configured and fails when it
 * grows. The limit is 24 000 characters (about 21 500 before the `delivery` argument);
 * CEILING is lowered as descriptions and schemas are cut until it gets there.
 */
import { describe, expect, it } from "vitest";
import { startHarness } from "../../helpers/harness.js";

const CEILING = 47_300;
const TARGET = 24_000;

describe("tool list size", () => {
  it("prints the size of every tool definition with every vendor configured, and fails when it grows", async () => {
    const h = await startHarness();
    try {
      const tools = (await h.client.listTools()).tools;
      const sizes = tools.map((t) => ({
        name: t.name,
        chars: JSON.stringify({ name: t.name, description: t.description, inputSchema: t.inputSchema }).length,
      }));
      const total = sizes.reduce((n, s) => n + s.chars, 0);
      console.log(
        [
          ...sizes.sort((a, b) => b.chars - a.chars).map((s) => `${String(s.chars).padStart(6)}  ${s.name}`),
          `${total} characters in ${tools.length} tools (target ${TARGET})`,
        ].join("\n"),
      );
      expect(total).toBeLessThanOrEqual(CEILING);
    } finally {
      await h.close();
    }
  });

  it.todo(`stays under ${TARGET} characters with every vendor configured`);
});
