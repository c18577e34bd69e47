/**
 * How each reservation of the file spend ledger ended: `.aigc-mcp/spend/ended/<day>/<id hash>.json`,
 * created whole and exclusively (a hard link that fails when the name exists) by whichever process
 * settles or releases it first, so a reservation ends once however many processes see its end.
 * Kept out of the month's value (file-ledger.ts): a month held every call's end for 7 days and was
 * copied and rewritten whole on every change, so a call's ledger writes cost CPU in proportion to
 * the week's calls (~34 ms at 10 000). The file records the whole end, so the month's counters can
 * still be brought up to date from it when the process that made it died before its month write.
 */
import { readdir, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { createWhole, removeStaleFiles } from "../media/disk.js";
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

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HASH = /^[0-9a-f]{32}$/;

export class ReservationEnds {
  constructor(private readonly dir: string) {}

  /**
   * Records `end` for reservation `hash` of budget day `day` unless its end is recorded; true when
   * this call recorded it. Created whole (createWhole: a temp file hard-linked into place), so an
   * end is never seen half-written, even after a crash.
   */
  record(day: string, hash: string, end: End): Promise<boolean> {
    const target = join(this.dir, checked(day, DAY), `${checked(hash, HASH)}.json`);
    return createWhole(this.dir, target, JSON.stringify(EndSchema.parse(end)));
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
   * Removes ends recorded 7 days ago or earlier, and the day folders they emptied (temp files a
   * process that died mid-write left go with the file store's). Only folders of budget days at
   * least that old are looked at (an end is recorded on or after its day, give or take the budget
   * time zone), so the sweep reads only what is due.
   */
  async sweep(now = Date.now()): Promise<void> {
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
