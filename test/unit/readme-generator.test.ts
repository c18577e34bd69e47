/** The README generator's text rules and block handling, on made-up READMEs (the real one is checked by test/integration/core/readme.test.ts). */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, PAID_GENERATOR } from "../../src/tools/define.js";
import { jobResultShape } from "../../src/tools/job-result.js";
import { cell, firstSentence, renderReadme, renderTools, type Block } from "../helpers/readme.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

describe("README generator", () => {
  const blocks = (extra: Array<[string, Block]> = []) =>
    new Map<string, Block>([["tools", { content: "TOOLS" }], ["env:server", { content: "SERVER" }], ...extra]);
  const readme = [
    "# x",
    "## Configuration",
    "<!-- generated:env:server -->\nold\n<!-- /generated:env:server -->",
    "## Tools",
    "<!-- generated:tools -->\n<!-- /generated:tools -->",
    "",
  ].join("\n\n");

  it("takes the first sentence and escapes what Markdown would swallow", () => {
    expect(firstSentence("Makes <<<image_1>>> from a *prompt*. Second sentence.")).toBe("Makes <<<image_1>>> from a *prompt*.");
    expect(firstSentence("e.g. a thing. Then 3.0 more.")).toBe("e.g. a thing.");
    expect(cell("a | b <<<x>>> `<y> | *z*` *w* < 2")).toBe("a \\| b `<<<x>>>` `<y> \\| *z*` \\*w\\* &lt; 2");
  });

  it("rewrites the blocks and adds a section for a vendor that has none", async () => {
    const out = await renderReadme(
      readme,
      blocks([["env:newvendor", { content: "NEW", newSection: { parent: "Configuration", heading: "New Vendor" } }]]),
      README,
    );
    expect(out).toContain("SERVER");
    expect(out).not.toContain("old");
    expect(out).toMatch(/### New Vendor\n\n<!-- generated:env:newvendor [^>]*-->\n\nNEW\n\n<!-- \/generated:env:newvendor -->\n\n## Tools/);
  });

  it("refuses a block nothing generates, and a missing block it cannot place", async () => {
    await expect(renderReadme(readme, new Map([["tools", { content: "" }]]), README)).rejects.toThrow(/"env:server".*delete it/);
    await expect(renderReadme(readme.replace(/<!-- generated:tools[\s\S]*tools -->/, ""), blocks(), README)).rejects.toThrow(
      /lacks the block <!-- generated:tools/,
    );
  });

  it("names under each table the shared parameters its tools take besides their own, and which tools", () => {
    const tool = (name: string, paid: boolean, media: boolean) =>
      defineTool({
        name,
        title: name,
        description: `Does ${name}.`,
        input: { prompt: z.string() },
        output: media ? jobResultShape : { answer: z.string() },
        annotations: PAID_GENERATOR,
        ...(paid ? { quote: () => Promise.resolve({ currency: "CNY", amount: 1, basis: "x" }) as never } : {}),
        run: () => Promise.resolve({ content: [] }),
      });
    const text = renderTools({
      vendors: [
        { id: "v", title: "Vendor", tools: [tool("make_image", true, true), tool("chat", true, false), tool("list_things", false, false)] },
      ],
      jobTools: [tool("get_thing", false, true)],
    });
    const [vendor, jobs] = text.split("### Job and model tools");
    expect(vendor).toContain(
      "Shared parameters, not in the table (the server instructions explain them): `delivery` by `make_image`; " +
        "`max_cost`, `idempotency_key` and `confirm` (with `AIGC_MCP_CONFIRM_ABOVE` set) by every tool above but `list_things`.",
    );
    expect(jobs).toContain("`delivery` by every tool above.");
    // The table's own column lists only the tool's own parameters.
    expect(vendor).toMatch(/\| `chat` .*\| \*\*`prompt`\*\* \|/);
  });
});
