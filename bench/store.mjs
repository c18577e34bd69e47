// What a paid call costs the output-folder job store once the folder has been used for a while
// (issue 16, goal 2 kept after a week of calls): the spend ledger's reserve and settle and an
// idempotency key's claim and completion, on a fresh folder and side by side on one holding the
// ended reservations and keys of 10 000 earlier calls (what the ledger keeps 7 days and the keys
// a day). A store whose per-call work grows with what it keeps shows here as a ratio above 1;
// both were so until 2026-12-01 (the key folder was listed whole per claim, the month rewritten
// with every ended reservation). Beside them, not part of the goal, the same work while 1 000
// other calls' reservations are held (calls in flight): the month holds each one, so each of its
// writes grows with them. Runs the built modules (dist/, `npm run build` first).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** @typedef {import("./figure.mjs").Figure} Figure */

const EARLIER = 10_000;
const IN_FLIGHT = 1000;
const MEASURED = 300;
const ROUNDS = 5;
const GOAL = 1.5;

const dist = (/** @type {string} */ p) => new URL(`../dist/${p}`, import.meta.url).href;

/** A reservation of 0.2 CNY under a daily limit no call reaches. */
const reserve = (/** @type {any} */ store, /** @type {string} */ id) =>
  store.spend.reserve({
    id,
    vendor: "ark",
    currency: "CNY",
    amount: 0.2,
    priced: true,
    limits: [{ period: "daily", amount: 1e9, currency: "CNY" }],
    timezone: "UTC",
  });

/** One call's store work: reserve, claim its key, settle, record the key's job. */
async function call(/** @type {any} */ store, /** @type {number} */ i, /** @type {string} */ tag) {
  const owner = { pid: process.pid, boot: "bench" };
  const got = await reserve(store, `${tag}-${i}`);
  await store.keys.claim(`${tag}-key-${i}`, { fingerprint: "f", tool: "seedream_generate_image", owner });
  await store.spend.settle(got.reservation);
  await store.keys.complete(`${tag}-key-${i}`, { job_id: `job-${i}` });
}

/** CPU ms per call over MEASURED calls in sequence. */
async function cpuPerCall(/** @type {any} */ store, /** @type {string} */ tag) {
  const before = process.cpuUsage();
  for (let i = 0; i < MEASURED; i++) await call(store, i, tag);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / MEASURED;
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** @returns {Promise<Figure[]>} */
export async function figures() {
  const { FileJobStore } = await import(dist("jobs/file-store.js"));
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "aigc-bench-store-")));
  const [fresh, used, busy] = dirs.map((d) => new FileJobStore(d, 30));
  try {
    for (let i = 0; i < EARLIER; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => call(used, i + j, "earlier")));
    for (let i = 0; i < IN_FLIGHT; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => reserve(busy, `held-${i + j}`)));
    const ratios = [];
    const ms = { fresh: /** @type {number[]} */ ([]), used: /** @type {number[]} */ ([]), busy: /** @type {number[]} */ ([]) };
    for (let r = 0; r < ROUNDS; r++) {
      const a = await cpuPerCall(fresh, `fresh${r}`);
      const b = await cpuPerCall(used, `used${r}`);
      ms.fresh.push(a);
      ms.used.push(b);
      ms.busy.push(await cpuPerCall(busy, `busy${r}`));
      ratios.push(b / a);
    }
    const ratio = median(ratios);
    return [
      {
        name: "store work per call after 10 000 calls (output folder)",
        value: ratio,
        unit: "× a fresh folder",
        goal: `≤ ${GOAL}×`,
        ok: ratio <= GOAL,
        detail: `budget reserve + settle and idempotency key claim + completion, ${MEASURED} calls in sequence, median of ${ROUNDS} rounds: ${median(ms.fresh).toFixed(2)} ms CPU per call on a fresh folder, ${median(ms.used).toFixed(2)} ms beside ${EARLIER.toLocaleString("en")} earlier calls' ended reservations and keys; not part of the goal: ${median(ms.busy).toFixed(2)} ms (${(median(ms.busy) / median(ms.fresh)).toFixed(1)}×) while ${IN_FLIGHT.toLocaleString("en")} other calls' reservations are held (calls in flight), which the month holds and writes whole with every change (with a limit to check, as here, each change is written at once)`,
      },
    ];
  } finally {
    await Promise.all([fresh.close(), used.close(), busy.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
