/** Issue 12 items 3 and 5: home-relative paths expand to the home folder; a Windows client's path is refused as such. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMediaInput, type InputPolicy } from "../../../src/media/inputs.js";
import { MediaStore } from "../../../src/media/store.js";
import { makePng } from "../../../src/sandbox/media-fixtures.js";
import { startHarness, tempDir, text } from "../../helpers/harness.js";

describe("input paths as clients send them", () => {
  const home = tempDir("aigc-home-");
  const savedHome = process.env.HOME;
  process.env.HOME = home;
  afterAll(() => {
    process.env.HOME = savedHome;
  });
  mkdirSync(join(home, "Pictures"));
  writeFileSync(join(home, "Pictures", "cat.png"), makePng(32, 32));
  const media = new MediaStore(tempDir("aigc-out-"), 10 * 1024 * 1024);
  const policy: InputPolicy = { roots: [home], maxBytes: 10 * 1024 * 1024, media };
  const rule = { field: "images[0]", accept: ["image" as const] };

  it("expands ~/ to the home folder", async () => {
    const input = await loadMediaInput("~/Pictures/cat.png", rule, policy);
    expect(input).toMatchObject({ kind: "bytes", mime: "image/png", width: 32 });
  });

  it.runIf(process.platform !== "win32")("says a Windows path is on the client's machine, through a tool call", async () => {
    for (const path of ["C:\\Users\\me\\Pictures\\cat.png", "D:/photos/cat.png", "\\\\server\\share\\cat.png"])
      await expect(loadMediaInput(path, rule, policy)).rejects.toThrow(/images\[0\]: .*path on the client's \(Windows\) machine/);
    const h = await startHarness({ env: { AIGC_MCP_INPUT_ROOTS: home } });
    try {
      const r = await h.call("seedream_generate_image", { prompt: "x", images: ["C:\\Users\\me\\Pictures\\cat.png"] });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^Error.*images\[0\]: .*client's \(Windows\) machine.*URL, a data: URI/);
      expect(text(r)).not.toMatch(/does not exist/);
    } finally {
      await h.close();
    }
  });
});

describe("the server instructions on media inputs", () => {
  it("offer a file path only where local paths are taken: not over HTTP without AIGC_MCP_INPUT_ROOTS", async () => {
    const roots = tempDir("aigc-roots-");
    for (const [env, paths] of [
      [{}, true],
      [{ AIGC_MCP_TRANSPORT: "http" }, false],
      [{ AIGC_MCP_TRANSPORT: "http", AIGC_MCP_INPUT_ROOTS: roots }, true],
    ] as const) {
      const h = await startHarness({ env });
      try {
        const said = h.client.getInstructions() ?? "";
        const help = /Media inputs \(image, video and audio arguments\) take (.*?); a field's description/.exec(said)![1]!;
        expect(help, JSON.stringify(env)).toMatch(/a URL, a data: URI.*media:\/\/ URI/);
        if (paths) expect(help).toMatch(/or a file path on the server's machine$/);
        else expect(help).toBe("a URL, a data: URI or a media:// URI from an earlier result (this server refuses file paths)");
        // What the instructions offer is what a call gets.
        const r = await h.call("seedream_generate_image", { prompt: "x", images: [join(roots, "none.png")] });
        expect(text(r), JSON.stringify(env)).toMatch(
          paths ? /images\[0\]: (?!.*AIGC_MCP_INPUT_ROOTS is not set)/ : /AIGC_MCP_INPUT_ROOTS is not set/,
        );
      } finally {
        await h.close();
      }
    }
  });
});
