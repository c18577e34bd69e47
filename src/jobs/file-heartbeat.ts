/**
 * A heartbeat file per server process in the output folder (`.aigc-mcp/procs/<random id>`, empty),
 * touched every 5 s while the process lives and removed when it closes its store: how a process
 * tells whether another one sharing the folder is alive when their pids cannot be compared (another
 * pid namespace, such as two containers on one volume, or another machine on a network folder).
 * The Redis store's heartbeat keys do the same for replicas.
 */
import { writeFileSync } from "node:fs";
import { stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { log } from "../log.js";
import { removeStaleFiles } from "../media/disk.js";
import { makeDirsSync } from "../make-dirs.js";

/** How often a live process touches its file. */
const BEAT_MS = 5000;
/** A file untouched this long belongs to a process that is gone (or stopped: six beats missed). */
export const HEARTBEAT_STALE_MS = 30_000;
/** Files of processes that died without removing theirs are removed after a day. */
const KEEP_MS = 86_400_000;

export class FileHeartbeat {
  private timer?: NodeJS.Timeout;
  private id?: string;
  private warned = false;

  constructor(private readonly dir: string) {}

  private file(id: string): string {
    return join(this.dir, id);
  }

  /**
   * Starts beating as process `id` (once; later calls do nothing). The first beat is written before
   * this returns, so a stamp naming `id` is never seen before its heartbeat. A beat that cannot be
   * written is tried again at the next one.
   */
  start(id: string): void {
    if (this.id) return;
    this.id = id;
    try {
      makeDirsSync(this.dir);
      writeFileSync(this.file(id), "");
    } catch (err) {
      this.cannotBeat(err);
    }
    this.timer = setInterval(() => void this.beat(id), BEAT_MS);
    this.timer.unref();
  }

  private async beat(id: string): Promise<void> {
    const now = new Date();
    await utimes(this.file(id), now, now).catch(() => writeFile(this.file(id), "").catch((err: unknown) => this.cannotBeat(err)));
  }

  /** Said once: a server in another container or on another machine on this folder would take this one for dead. */
  private cannotBeat(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    log.warn(
      `cannot write this server's heartbeat in ${this.dir}: a server in another container or on another machine sharing the output folder will take this one for stopped (its jobs reported Interrupted or taken over); make the folder writable by every server that uses it`,
      { error: String(err) },
    );
  }

  /** Whether process `id` touched its file within HEARTBEAT_STALE_MS; a file that cannot be read (but exists) counts as alive. */
  async alive(id: string): Promise<boolean> {
    if (!/^[\w-]{1,64}$/.test(id)) return false;
    try {
      return Date.now() - (await stat(this.file(id))).mtimeMs < HEARTBEAT_STALE_MS;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== "ENOENT";
    }
  }

  /** Stops beating and removes this process's file. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.id) await unlink(this.file(this.id)).catch(() => undefined);
  }

  /** Removes the files of processes gone for a day. */
  sweep(now = Date.now()): Promise<number> {
    return removeStaleFiles(this.dir, now - KEEP_MS);
  }
}
