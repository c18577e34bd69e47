/**
 * README.md's tool and environment tables are generated from the code: this fails when they are
 * out of date. `npm run docs` (this file with UPDATE_DOCS=1) rewrites them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cell, firstSentence, loadCatalogue, readmeBlocks, renderReadme, type Block, type Catalogue } from "../helpers/readme.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

describe("README.md", () => {
  let catalogue: Catalogue;
  beforeAll(async () => {
    catalogue = await loadCatalogue();
  });

  it("has up-to-date tool and environment tables (run `npm run docs` to regenerate them)", async () => {
    const current = readFileSync(README, "utf8");
    const expected = await renderReadme(current, readmeBlocks(catalogue), README);
    if (process.env.UPDATE_DOCS) {
      if (expected !== current) writeFileSync(README, expected);
      return;
    }
    expect(current, "README.md is out of date with the code: run `npm run docs` and commit README.md").toBe(expected);
  });

  it("lists every tool the sandbox offers, each once", () => {
    const names = [...catalogue.vendors.flatMap((v) => v.tools), ...catalogue.jobTools].map((t) => t.name);
    const readme = readFileSync(README, "utf8");
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(readme).toContain(`| \`${n}\``);
  });
});

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
