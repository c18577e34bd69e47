/**
 * Vendor media references (`InputRule.references`, e.g. Ark's `asset://<id>`): passed to the vendor
 * unchanged for the fields that allow the scheme, never read as local paths, never downloaded.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inputBytes, loadMediaInput, toUrlOrDataUri, type InputPolicy } from "../../../src/media/inputs.js";
import { MediaStore } from "../../../src/media/store.js";
import { makePng } from "../../../src/sandbox/media-fixtures.js";
import { tempDir } from "../../helpers/harness.js";

const root = tempDir("aigc-refs-");
const media = new MediaStore(tempDir("aigc-refs-out-"), 10 * 1024 * 1024);
const policy: InputPolicy = { roots: [root], maxBytes: 10 * 1024 * 1024, media };
const rule = { field: "first_frame", accept: ["image" as const], references: ["asset"] };

describe("vendor references", () => {
  it("pass through unchanged for a field that allows the scheme, in any case", async () => {
    for (const ref of ["asset://asset-20261130-abc", "ASSET://Img_7.v2"]) {
      const input = await loadMediaInput(ref, rule, policy);
      expect(input).toEqual({ kind: "url", url: ref });
      expect(toUrlOrDataUri(input)).toBe(ref);
    }
  });

  it("are refused, listing what the field accepts, where the field does not allow the scheme (never read as relative paths)", async () => {
    await expect(loadMediaInput("asset://asset-1", { ...rule, references: undefined }, policy)).rejects.toThrow(
      /^first_frame: "asset:\/\/asset-1" uses the asset:\/\/ scheme, which is not accepted here; pass an http\(s\) URL, a data: URI, a media:\/\/files\/… URI of an earlier output or a local file path$/,
    );
    await expect(loadMediaInput("other://asset-1", rule, policy)).rejects.toThrow(
      /^first_frame: "other:\/\/asset-1" uses the other:\/\/ scheme, .*, a vendor reference \(asset:\/\/…\) or a local file path$/,
    );
  });

  it("win over a local file of the same name: a reference is never read from disk", async () => {
    mkdirSync(join(root, "asset:"), { recursive: true });
    writeFileSync(join(root, "asset:", "x.png"), makePng(8, 8));
    const here = process.cwd();
    process.chdir(root);
    try {
      expect(await loadMediaInput("asset://x.png", rule, policy)).toEqual({ kind: "url", url: "asset://x.png" });
      await expect(loadMediaInput("asset://x.png", { ...rule, references: [] }, policy)).rejects.toThrow(/uses the asset:\/\/ scheme/);
      // Such a file is still read when given as a path.
      expect(await loadMediaInput("./asset:/x.png", { ...rule, references: [] }, policy)).toMatchObject({
        kind: "bytes",
        mime: "image/png",
      });
    } finally {
      process.chdir(here);
    }
  });

  it("need an id and no whitespace", async () => {
    await expect(loadMediaInput("asset://", rule, policy)).rejects.toThrow(/first_frame/);
    await expect(loadMediaInput("asset://a b", rule, policy)).rejects.toThrow(/first_frame/);
  });

  it("cannot be downloaded for a vendor that needs bytes", async () => {
    const input = await loadMediaInput("asset://a-1", rule, policy);
    await expect(inputBytes(input, rule, policy)).rejects.toThrow(
      /first_frame: asset:\/\/a-1 is a vendor reference: it cannot be downloaded here/,
    );
  });
});
