/**
 * Job records persisted as small JSON files under `<output>/.aigc-mcp/jobs/`, so list_jobs and
 * resumption work across connections and server restarts. Writes are atomic (temp + rename).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { redactDeep } from "../log.js";
import { localDiskError } from "../media/disk.js";
import { MEDIA_URI_PREFIX } from "../media/store.js";
import type { JobRecord } from "./types.js";

export class JobStore {
  readonly dir: string;
  constructor(outputDir: string) {
    this.dir = join(outputDir, ".aigc-mcp", "jobs");
  }

  private file(jobId: string): string {
    return join(this.dir, createHash("sha256").update(jobId).digest("hex").slice(0, 32) + ".json");
  }

  /**
   * Writes the record, replacing the job's previous one atomically. Every string passes through
   * the same redaction as results and logs: a vendor error that echoes a credential is stored
   * without it.
   */
  async save(record: JobRecord): Promise<void> {
    const text = JSON.stringify(redactDeep(record));
    const target = this.file(record.job_id);
    // A full or briefly unwritable disk gets three tries; then the caller reports the failure.
    for (let attempt = 1; ; attempt++) {
      const tmp = `${target}.${randomBytes(4).toString("hex")}.tmp`;
      try {
        await mkdir(this.dir, { recursive: true });
        await writeFile(tmp, text);
        await rename(tmp, target);
        return;
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        if (attempt >= 3) throw localDiskError(err, this.dir) ?? err;
        await sleep(100 * 4 ** (attempt - 1));
      }
    }
  }

  /** The job's record, or undefined when there is none (or it cannot be read). */
  async load(jobId: string): Promise<JobRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.file(jobId), "utf8")) as JobRecord;
    } catch {
      return undefined;
    }
  }

  /**
   * The file names (in the output folder) of every output any job record lists: the only files
   * resources/list and resources/read serve. Read from disk each time, so outputs saved by another
   * server process on the same folder count too.
   */
  async generatedFiles(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const record of await this.list(Number.MAX_SAFE_INTEGER)) {
      for (const asset of record.assets ?? []) {
        if (typeof asset.uri === "string" && asset.uri.startsWith(MEDIA_URI_PREFIX)) {
          try {
            names.add(decodeURIComponent(asset.uri.slice(MEDIA_URI_PREFIX.length)));
          } catch {
            // not a URI this server minted
          }
        }
      }
    }
    return names;
  }

  /** Most recently updated first. */
  async list(limit: number): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(".json"));
    } catch {
      return [];
    }
    const withTime = await Promise.all(
      names.map(async (n) => {
        try {
          return { n, t: (await stat(join(this.dir, n))).mtimeMs };
        } catch {
          return { n, t: 0 };
        }
      }),
    );
    withTime.sort((a, b) => b.t - a.t);
    const out: JobRecord[] = [];
    for (const { n } of withTime.slice(0, limit)) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), "utf8")) as JobRecord);
      } catch {
        // a record being replaced right now; skip it
      }
    }
    return out;
  }
}
