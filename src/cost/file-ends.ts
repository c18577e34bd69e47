/**
 * How each reservation of the file spend ledger ended: `.aigc-mcp/spend/ended/<day>/<id hash>.json`,
 * created exclusively (open with O_EXCL) by whichever process settles or releases it first, so a
 * reservation ends once however many processes see its end. Kept out of the month's value
 * (file-ledger.ts): a month held every call's end for 7 days and was copied and rewritten whole on
 * every change, so a call's ledger writes cost CPU in proportion to the week's calls (~34 ms at
 * 10 000). The file records the whole end, so the month's counters can still be brought up to date
 * from it when the process that made it died before its month write.
 */
import { randomBytes } from "node:crypto";
import { link, readdir, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { localDiskError, inFolder, removeStaleFiles } from "../media/disk.js";
import { readJson } from "../jobs/generation-files.js";
import { CURRENCIES } from "../vendors/kit/price.js";
import { MARKER_RETENTION_MS } from "./spend.js";

const units = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A reservation's end: settled (`s`, `spent` micro-units) or released (`x`), when (`at`, epoch ms), and what it held (micro-units). */
const EndSchema = z.object({
  s: z.enum(["s", "x"]),
  at: z.number(),
  vendor: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  currency: z.enum(CURRENCIES),
  priced: z.boolean(),
  held: units,
  spent: units,
});
export type End = z.infer<typeof EndSchema>;

/** How long a temp file of an end may be left before the sweep removes it (a process died mid-write). */
const TEMP_KEEP_MS = 3_600_000;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HASH = /^[0-9a-f]{32}$/;

export class ReservationEnds {
  constructor(private readonly dir: string) {}

  /**
   * Records `end` for reservation `hash` of budget day `day` unless its end is recorded; true when
   * this call recorded it. Written whole to a temp file, then hard-linked into place (link() fails
   * when the name exists), so an end is never seen half-written, even after a crash.
   */
  async record(day: string, hash: string, end: End): Promise<boolean> {
    const folder = join(this.dir, checked(day, DAY));
    const target = join(folder, `${checked(hash, HASH)}.json`);
    const tmp = join(this.dir, `.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await inFolder(this.dir, () => writeFile(tmp, JSON.stringify(EndSchema.parse(end))));
      await inFolder(folder, () => link(tmp, target));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw localDiskError(err, this.dir) ?? err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /** The recorded end of reservation `hash` and when it was written (epoch ms); `end` is missing when the file is unreadable or not an end. */
  async read(day: string, hash: string): Promise<{ end?: End; writtenMs: number } | undefined> {
    const path = join(this.dir, checked(day, DAY), `${checked(hash, HASH)}.json`);
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const end = EndSchema.safeParse(await readJson<unknown>(path));
    return end.success ? { end: end.data, writtenMs: info.mtimeMs } : { writtenMs: info.mtimeMs };
  }

  /**
   * Removes ends recorded 7 days ago or earlier, the day folders they emptied, and temp files a
   * process that died mid-write left (after an hour). Only folders of
   * budget days at least that old are looked at (an end is recorded on or after its day, give or
   * take the budget time zone), so the sweep reads only what is due.
   */
  async sweep(now = Date.now()): Promise<void> {
    await removeStaleFiles(this.dir, now - TEMP_KEEP_MS, (n) => n.endsWith(".tmp"));
    const cutoff = now - MARKER_RETENTION_MS;
    const lastDay = new Date(cutoff + 86_400_000).toISOString().slice(0, 10);
    for (const day of await readdir(this.dir).catch(() => [] as string[])) {
      if (!DAY.test(day) || day > lastDay) continue;
      await removeStaleFiles(join(this.dir, day), cutoff, (n) => n.endsWith(".json"));
      await rmdir(join(this.dir, day)).catch(() => undefined);
    }
  }
}

function checked(part: string, shape: RegExp): string {
  if (!shape.test(part)) throw new Error(`not a spend ledger name: ${JSON.stringify(part).slice(0, 40)}`);
  return part;
}
