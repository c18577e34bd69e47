/**
 * Media the server loads itself (a local path, an output's media:// URI, an allow-listed URL) wait
 * for room before they are read (net/loaded-media.ts), against the HTTP budget's counts.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AigcError } from "../../../src/errors.js";
import { loadMediaInput, type InputPolicy } from "../../../src/media/inputs.js";
import { MediaStore } from "../../../src/media/store.js";
import { LoadRoom } from "../../../src/net/loaded-media.js";
import { fetchPolicy } from "../../../src/net/fetch-policy.js";
import { countProcessMedia } from "../../../src/net/outbound-bodies.js";
import { BodyBudget } from "../../../src/transports/body-budget.js";
import { tempDir } from "../../helpers/harness.js";

const MB = 1 << 20;
// A JPEG by its magic, of 700 000 random bytes.
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]), randomBytes(700_000)]);
const root = tempDir("aigc-room-in-");
const out = tempDir("aigc-room-out-");
writeFileSync(join(root, "big.jpg"), jpeg);
writeFileSync(join(out, "made.jpg"), jpeg);

let server: Server;
let fetched = 0;
let base: string;
const owner = new EventEmitter();
beforeAll(async () => {
  server = createServer((req, res) => {
    fetched++;
    if (req.url === "/chunked") res.writeHead(200, { "content-type": "image/jpeg" }).end(jpeg);
    else res.writeHead(200, { "content-type": "image/jpeg", "content-length": jpeg.length }).end(jpeg);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => owner.emit("close"));
afterAll(() => server.close());

const media = new MediaStore(out, 10 * MB, 10_000, fetchPolicy(["127.0.0.1"]));
media.generated = (name) => Promise.resolve(name === "made.jpg" ? { name, bytes: jpeg.length, mime: "image/jpeg" } : undefined);
const policy: InputPolicy = { roots: [root], maxBytes: 10 * MB, media };
const rule = { field: "first_frame", accept: ["image" as const] };

/** A 1 MiB budget counting the process, its requests to vendors filling it (release with `full()`), and the limits of a call that waits `callWaitMs`. */
function fullBudget(budgetWaitMs: number, callWaitMs: number) {
  const budget = new BodyBudget(1 * MB, budgetWaitMs);
  countProcessMedia(budget, owner);
  return { budget, full: budget.holdSending(1 * MB), limits: callLimits(callWaitMs) };
}
const callLimits = (waitMs: number) => ({ signal: new AbortController().signal, deadlineMs: Date.now() + waitMs, loads: new LoadRoom() });

describe("media loaded for a call", () => {
  it("wait for room before they are read, whatever their form, and are counted once read", async () => {
    const budget = new BodyBudget(1 * MB, 300);
    countProcessMedia(budget, owner);
    const refs = [join(root, "big.jpg"), `file://${join(root, "big.jpg")}`, "media://files/made.jpg", `${base}/sized`, `${base}/chunked`];
    for (const ref of refs) {
      const full = budget.holdSending(1 * MB); // the requests to vendors leave no room
      // The call's wait is spent: the read waits the budget's own 0.3 s.
      const limits = { signal: new AbortController().signal, deadlineMs: Date.now(), loads: new LoadRoom() };
      const before = fetched;
      const t0 = Date.now();
      const err = (await loadMediaInput(ref, rule, policy, limits).catch((e: unknown) => e)) as AigcError;
      expect(Date.now() - t0, ref).toBeGreaterThanOrEqual(290);
      expect(err.info, ref).toMatchObject({ code: "Busy", category: "rate_limit" });
      // A download is refused after its headers, before its body is read; its size as announced, else the cap.
      const size = ref.endsWith("chunked") ? 10 * MB : jpeg.length;
      expect(err.message, ref).toBe(
        `first_frame (${size} bytes${ref.endsWith("chunked") ? ": its size was not announced, so the field's limit" : ""}) was not read: other calls and reads hold 0 bytes of media loaded and the server ${1 * MB} of its own requests to vendors (each up to AIGC_MCP_MAX_BODY_BYTES_IN_FLIGHT, ${1 * MB}), and no room for ${size} more${size > MB ? `, counted as ${MB} (the whole limit: it is read when no other media are loaded)` : ""} came within 0.3 s`,
      );
      expect(fetched - before).toBe(ref.startsWith("http") ? 1 : 0);
      full();
      const input = await loadMediaInput(ref, rule, policy, limits);
      expect(input).toMatchObject({ kind: "bytes", mime: "image/jpeg" });
      expect(budget.inLoading, ref).toBe(Math.min(size, 1 * MB));
      limits.loads.release();
      expect(budget.inLoading).toBe(0);
    }
  });

  it("wait as long as the call's own wait when that is longer than the budget's", async () => {
    const { budget, full, limits } = fullBudget(300, 1_000);
    const t0 = Date.now();
    const late = loadMediaInput(join(root, "big.jpg"), rule, policy, limits).catch((e: AigcError) => e);
    await new Promise((r) => setTimeout(r, 600));
    full(); // room comes after the budget's 0.3 s, within the call's 1 s
    expect(await late).toMatchObject({ kind: "bytes" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    limits.loads.release();
    const again = budget.holdSending(1 * MB);
    const limits2 = callLimits(1_000);
    const err = (await loadMediaInput(join(root, "big.jpg"), rule, policy, limits2).catch((e: unknown) => e)) as AigcError;
    expect(err.message).toMatch(/no room for 700011 more came within (0\.9|1) s$/);
    again();
  });

  it("count a file again when it grew while its read waited for room", async () => {
    const budget = new BodyBudget(1 * MB, 5_000);
    countProcessMedia(budget, owner);
    const other = (await budget.acquireLoaded(1 * MB, { room: {} }))!;
    const grow = join(root, "grow.jpg");
    writeFileSync(grow, jpeg.subarray(0, 100_000));
    const limits = callLimits(5_000);
    const read = loadMediaInput(grow, rule, policy, limits);
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(grow, jpeg); // rewritten while the read waits
    other();
    expect(await read).toMatchObject({ kind: "bytes", data: jpeg });
    expect(budget.inLoading).toBe(jpeg.length);
    limits.loads.close();
  });

  it("a file over the field's cap is refused for its size at once, without waiting for room", async () => {
    const { full, limits } = fullBudget(5_000, 30_000);
    const t0 = Date.now();
    await expect(loadMediaInput(join(root, "big.jpg"), { ...rule, maxBytes: 500_000 }, policy, limits)).rejects.toThrow(
      /first_frame: .*big\.jpg is 700011 bytes; the limit is 500000/,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    full();
  });
});
