/**
 * Local files are checked as opened (src/media/open-file.ts): a symlink swapped in after the path
 * checks cannot lead a read outside the input folders (a tryout read an outside file in 345 of 4 168
 * calls, and a swapped-in /dev/zero grew the server to 4.5 GB), and FIFOs or files that say they
 * are empty (as /proc's do) are refused without blocking.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMediaInput, type InputPolicy } from "../../../src/media/inputs.js";
import { openWithin } from "../../../src/media/open-file.js";
import { MediaStore } from "../../../src/media/store.js";
import { makePng } from "../../../src/sandbox/media-fixtures.js";
import { tempDir } from "../../helpers/harness.js";

const rule = { field: "images[0]", accept: ["image" as const] };

describe.runIf(process.platform !== "win32")("local input files checked as opened", () => {
  it("never reads the outside file while a symlink and a file take turns at the path", async () => {
    const root = tempDir("aigc-in-");
    const outside = tempDir("aigc-outside-");
    const inside = makePng(8, 8);
    const secret = makePng(9, 9);
    writeFileSync(join(outside, "secret.png"), secret);
    const policy: InputPolicy = { roots: [root], maxBytes: 1024 * 1024, media: new MediaStore(tempDir("aigc-out-"), 1024 * 1024) };
    const path = join(root, "x.png");
    writeFileSync(path, inside);
    // The swapper, another process: the file (a hard link to one inode) and a link to the outside
    // file renamed onto the path in turn, as fast as it goes.
    const master = join(root, "master.png");
    writeFileSync(master, inside);
    const swapper = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs");
         const [master, secret, path, dir] = process.argv.slice(1);
         for (let i = 0; ; i++) {
           fs.linkSync(master, dir + "/f" + i);
           fs.renameSync(dir + "/f" + i, path);
           fs.symlinkSync(secret, dir + "/l" + i);
           fs.renameSync(dir + "/l" + i, path);
         }`,
        master,
        join(outside, "secret.png"),
        path,
        root,
      ],
      { stdio: "ignore" },
    );
    let read = 0;
    let leaked = 0;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const got = await Promise.allSettled(Array.from({ length: 8 }, () => loadMediaInput(path, rule, policy)));
      for (const g of got) {
        if (g.status !== "fulfilled") continue;
        read++;
        if (g.value.kind === "bytes" && g.value.width === 9) leaked++;
      }
    }
    swapper.kill("SIGKILL");
    expect(read).toBeGreaterThan(0);
    expect(leaked).toBe(0);
  });

  it("refuses a FIFO without blocking, a file that says it is empty, and a link at the last step", async () => {
    const root = tempDir("aigc-in-");
    const policy: InputPolicy = { roots: [root], maxBytes: 1024 * 1024, media: new MediaStore(tempDir("aigc-out-"), 1024 * 1024) };
    const fifo = join(root, "pipe.png");
    execFileSync("mkfifo", [fifo]);
    await expect(loadMediaInput(fifo, rule, policy)).rejects.toThrow(/pipe\.png is not a file/);
    writeFileSync(join(root, "empty.png"), "");
    await expect(loadMediaInput(join(root, "empty.png"), rule, policy)).rejects.toThrow(/holds no data/);
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "d", "real.png"), makePng(4, 4));
    symlinkSync(join(root, "d", "real.png"), join(root, "link.png"));
    // A link inside the folders to a file inside them is read (its real path is opened) …
    await expect(loadMediaInput(join(root, "link.png"), rule, policy)).resolves.toMatchObject({ width: 4 });
    // … but openWithin itself, given a path whose last step is a link, never follows it.
    expect(await openWithin(join(root, "link.png"), [root])).toBe("outside");
  });
});
