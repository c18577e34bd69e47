/**
 * The file store's download lease across processes (issue 13: "exactly one process downloads a
 * finished job's outputs"): several server processes on one output folder race for the same lease,
 * each round over one that expired (its holder died), as the built store runs in each of them.
 * In every round exactly one process wins, i.e. one download. (The expired leases are set up with
 * the same store from src/, which dist/ is built from.)
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileJobStore } from "../../src/jobs/file-store.js";
import { tempDir } from "../helpers/harness.js";

const STORE = fileURLToPath(new URL("../../dist/jobs/file-store.js", import.meta.url));
const PROCESSES = 6;
const ROUNDS = 25;
const ROUND_MS = 120;

/** One racer: at each round's start time it asks for that round's lease, busy-waiting to start together. */
const RACER = `
import { FileJobStore } from ${JSON.stringify(STORE)};
const [dir, start, rounds, roundMs, me] = process.argv.slice(1);
const store = new FileJobStore(dir);
const won = [];
for (let r = 0; r < Number(rounds); r++) {
  const at = Number(start) + r * Number(roundMs);
  while (Date.now() < at) {}
  if (await store.acquire("download:round-" + r, me, 60000)) won.push(r);
}
process.stdout.write(JSON.stringify(won));
`;

function racer(dir: string, start: number, me: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", RACER, dir, String(start), String(ROUNDS), String(ROUND_MS), me]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`racer ${me} exited ${code}: ${err}`)),
    );
  });
}

describe("download leases in the output folder, raced by several processes", () => {
  const dir = tempDir("aigc-lease-race-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("give each expired lease to exactly one process", async () => {
    // Every round's lease is held by a process that died: it expired a moment ago.
    const dead = new FileJobStore(dir);
    for (let r = 0; r < ROUNDS; r++) expect(await dead.acquire(`download:round-${r}`, "dead-process", 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const start = Date.now() + 1500; // every racer has started by then
    const wins = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => racer(dir, start, `p${i}`)));
    const winners = Array.from({ length: ROUNDS }, (_, r) => wins.filter((w) => w.includes(r)).length);
    expect(winners).toEqual(Array.from({ length: ROUNDS }, () => 1));
  }, 60_000);
});
