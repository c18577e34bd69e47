/** Job records as another server process left them: for tests of a job whose owner process died. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The pid of a process that has exited (a child that ran and ended). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid;
}

/** Rewrites the stored record of `jobId` in `outputDir` as if a process that has since died owned it. */
export function orphanJob(outputDir: string, jobId: string): void {
  const file = join(outputDir, ".aigc-mcp", "jobs", createHash("sha256").update(jobId).digest("hex").slice(0, 32) + ".json");
  const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...record, owner: { pid: deadPid(), boot: "gone" } }));
}
