import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeWritable } from "../../src/media/disk.js";
import { tempDir } from "../helpers/harness.js";

describe("the output folder's write check", () => {
  it("names the folder and the fault, with what to do", async () => {
    const dir = tempDir();
    await expect(probeWritable(join(dir, "a", "b"))).resolves.toBeUndefined();
    await expect(probeWritable("/dev/null/x")).rejects.toMatchObject({
      info: {
        code: "LocalDiskError",
        category: "local",
        message: expect.stringMatching(/\/dev\/null\/x: a part of its path is not a folder \(ENOTDIR\)/),
      },
    });
  });

  // /proc exists, but a new file in it is refused with ENOENT: "the folder is missing" was untrue there.
  it.runIf(existsSync("/proc/self"))("does not call an existing /proc folder missing", async () => {
    const err = (await probeWritable("/proc").catch((e: unknown) => e)) as { info: { message: string } };
    expect(err.info.message).toMatch(
      /^could not write to the output folder \/proc: no file can be made there \(.*such as \/proc\) \(ENOENT\)$/,
    );
  });
});
