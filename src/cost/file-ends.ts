/**
 * How each reservation of the file spend ledger ended: `.aigc-mcp/spend/ended/<day>/<id hash>.json`,
 * created exclusively (open with O_EXCL) by whichever process settles or releases it first, so a
 * reservation ends once however many processes see its end. Kept out of the month's value
 * (file-ledger.ts): a month held every call's end for 7 days and was copied and rewritten whole on
 * every change, so a call's ledger writes cost CPU in proportion to the week's calls (~34 ms at
 * 10 000). The file records the whole end, so the month's counters can still be brought up to date
 * from it when the process that made it died before its month write.
 */
import { readdir, rmdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { localDiskError, inFolder, removeStaleFiles } from "../media/disk.js";
import type { Currency } from "../vendors/kit/price.js";
import { readJson } from "../jobs/generation-files.js";
import { MARKER_RETENTION_MS } from "./spend.js";

/** A reservation's end: settled (`s`, `spent` micro-units) or released (`x`), with what it held. */
export interface End {
  s: "s" | "x";
  /** When it ended (epoch ms). */
  at: number;
  vendor: string;
  currency: Currency;
  priced: boolean;
  /** Held (micro-units). */
  held: number;
  /** Spent (micro-units; 0 when released). */
  spent: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HASH = /^[0-9a-f]{32}$/;

export class ReservationEnds {
  constructor(private readonly dir: string) {}

  /** Records `end` for reservation `hash` of budget day `day` unless its end is recorded; true when this call recorded it. */
  async record(day: string, hash: string, end: End): Promise<boolean> {
    const folder = join(this.dir, checked(day, DAY));
    try {
      await inFolder(folder, () => writeFile(join(folder, `${checked(hash, HASH)}.json`), JSON.stringify(end), { flag: "wx" }));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw localDiskError(err, this.dir) ?? err;
    }
  }

  /** The recorded end of reservation `hash` and when it was written (epoch ms); `end` is missing when the file is unreadable. */
  async read(day: string, hash: string): Promise<{ end?: End; writtenMs: number } | undefined> {
    const path = join(this.dir, checked(day, DAY), `${checked(hash, HASH)}.json`);
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const end = await readJson<End>(path);
    return end ? { end, writtenMs: info.mtimeMs } : { writtenMs: info.mtimeMs };
  }

  /**
   * Removes ends recorded 7 days ago or earlier, and the day folders they emptied. Only folders of
   * budget days at least that old are looked at (an end is recorded on or after its day, give or
   * take the budget time zone), so the sweep reads only what is due.
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
