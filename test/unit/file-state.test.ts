/** What became of a saved output, from one lstat (src/media/file-state.ts). */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileState } from "../../src/media/file-state.js";

const dir = mkdtempSync(join(tmpdir(), "aigc-file-state-"));
const saved = (name: string, bytes = 5) => ({
  uri: `media://files/${name}`,
  mime_type: "image/png",
  bytes,
  sha256: "0".repeat(64),
  path: join(dir, name),
});

describe("fileState", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is undefined for a file as saved, or an asset without a local path", async () => {
    writeFileSync(join(dir, "a.png"), "12345");
    expect(await fileState(saved("a.png"))).toBeUndefined();
    expect(await fileState({ ...saved("a.png"), path: undefined })).toBeUndefined();
  });

  it("is missing for a removed file, or a folder on its way that is gone", async () => {
    expect(await fileState(saved("gone.png"))).toBe("missing");
    writeFileSync(join(dir, "plain"), "x");
    expect(await fileState(saved("plain/b.png"))).toBe("missing");
  });

  it("is changed for a file of another size", async () => {
    writeFileSync(join(dir, "c.png"), "123456");
    expect(await fileState(saved("c.png"))).toBe("changed");
  });

  it("does not follow a link in the file's place, as no read of an output does: missing, whatever it points at", async () => {
    writeFileSync(join(dir, "target.png"), "12345");
    symlinkSync(join(dir, "target.png"), join(dir, "link.png"));
    expect(await fileState(saved("link.png"))).toBe("missing");
    mkdirSync(join(dir, "d.png"));
    expect(await fileState(saved("d.png"))).toBe("missing");
  });
});
