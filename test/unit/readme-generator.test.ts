/** The README generator's text rules and block handling, on made-up READMEs (the real one is checked by test/integration/core/readme.test.ts). */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cell, firstSentence, renderReadme, type Block } from "../helpers/readme.js";

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
});
