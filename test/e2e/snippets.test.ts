/**
 * Issue 12 item 13: every client snippet in the README's "Install and run" and "Client setup"
 * sections and in mcp.json runs from a clone after `npm install` (scripts/check-snippets.mjs, run
 * here after the build), and the checker catches the snippets that failed for new users.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/harness.js";

const SCRIPT = fileURLToPath(new URL("../../scripts/check-snippets.mjs", import.meta.url));

function check(...files: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [SCRIPT, ...files], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })),
  );
}

describe("client snippets", () => {
  it("every snippet in README.md and mcp.json runs from a clone", async () => {
    const r = await check();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("flags unpublished npx/npm installs, unpinned npx packages, missing files and JSON that does not parse", async () => {
    const dir = tempDir("aigc-snippets-");
    const fence = "```";
    const readme = join(dir, "README.md");
    writeFileSync(
      readme,
      [
        "## Install and run",
        `${fence}bash`,
        "npm install -g aigc-mcp",
        "npx @modelcontextprotocol/inspector --cli node dist/missing.js --method tools/list",
        fence,
        "## Client setup",
        "### Cursor",
        `${fence}json`,
        '{ "mcpServers": { "aigc": { "command": "npx", "args": ["-y", "aigc-mcp"] } } }',
        fence,
        "### Broken",
        `${fence}json`,
        '{ "mcpServers": { "aigc": { "command": "node", } } }',
        fence,
        "<!-- check-snippets: skip (the form once the package is published) -->",
        `${fence}json`,
        '{ "command": "npx", "args": ["-y", "aigc-mcp"] }',
        fence,
        "## Development",
        `${fence}bash`,
        "npx -y aigc-mcp # outside the checked sections",
        fence,
      ].join("\n"),
    );
    const r = await check(readme);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/README\.md:2: npm install -g aigc-mcp: aigc-mcp is not published on npm/),
      expect.stringMatching(/README\.md:2: npx @modelcontextprotocol\/inspector: pin a version/),
      expect.stringMatching(/README\.md:2: node dist\/missing\.js: .* does not exist/),
      expect.stringMatching(/README\.md:8: npx aigc-mcp: aigc-mcp is not published on npm; use node \/path\/to\/aigc-mcp\/dist\/index\.js/),
      expect.stringMatching(/README\.md:12: JSON does not parse/),
    ]);
  });
});
