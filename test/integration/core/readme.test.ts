/**
 * README.md's tool and environment tables are generated from the code: this fails when they are
 * out of date. `npm run docs` (this file with UPDATE_DOCS=1) rewrites them. An integration test:
 * the catalogue comes from every plugin loaded against the sandbox's simulators.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, readmeBlocks, renderReadme, type Catalogue } from "../../helpers/readme.js";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));

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
