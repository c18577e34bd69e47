/**
 * Idempotency keys in the output folder (`.aigc-mcp/keys/`), shared by every server process on
 * that folder: one JSON value per key, named by the key's sha256 (the key itself is never
 * written), as generations (generations.ts). A claim creates the next generation exclusively, so
 * of processes claiming the same key at once exactly one gets it; the others read its entry.
 * An entry lives 24 hours from its claim; the hourly sweep removes expired ones.
 *
 * A dead entry (expired, or given up) is claimed again by writing the generation after it, so of
 * processes claiming it at once exactly one gets it. Only the hourly sweep removes entries, once
 * dead an hour. (Claims once removed a dead entry themselves after half an hour and started its
 * chain again at 1: two claims at once then both removed and both wrote a generation 1, and both
 * were sent to the vendor.) A claim can still build on an entry the sweep removes only if the
 * sweep's removal falls between the claim's read and its write (milliseconds, longer on a loaded
 * machine) and another claim of the same key starts and lands in that gap: a tryout forcing six
 * claims and a sweep at once saw it once in 150 runs. Closing it needs a lock, which this store avoids.
 */
import { join } from "node:path";
import { Generations } from "../jobs/generations.js";
import type { IdempotencyKeys, KeyEntry } from "./ledger.js";
import { keptResult, KEY_TTL_MS, keyHash } from "./spend.js";

/** A stored entry; `forgotten_at` once its claim was given up (the key is free again). */
type Stored = KeyEntry & { forgotten_at?: number };

const SWEEP_MS = 60 * 60_000;

/** Since when an entry is dead (its key free): when it expired or was given up; undefined while live. */
function deadSince(s: Stored, now: number): number | undefined {
  const expires = Date.parse(s.created_at) + KEY_TTL_MS;
  const since = s.forgotten_at ?? (Number.isFinite(expires) ? expires : 0);
  return since <= now ? since : undefined;
}

const live = (s: Stored | undefined, now = Date.now()): s is Stored => !!s && deadSince(s, now) === undefined;

function entry(s: Stored): KeyEntry {
  const { forgotten_at: _, ...e } = s;
  return e;
}

export class FileIdempotencyKeys implements IdempotencyKeys {
  private readonly keys: Generations<Stored>;

  constructor(outputDir: string) {
    // A key per call, kept a day: each key in its own folder (generations.ts), and the keys earlier
    // releases wrote in one folder still count until they expire.
    this.keys = new Generations<Stored>(join(outputDir, ".aigc-mcp", "keys"), { layout: "folders-after-flat" });
  }

  async claim(
    key: string,
    e: { fingerprint: string; tool: string; owner: KeyEntry["owner"]; claim: string },
  ): Promise<{ claimed: true } | { claimed: false; entry: KeyEntry }> {
    const name = keyHash(key);
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const cur = await this.keys.read(name);
      if (live(cur.value, now)) return { claimed: false, entry: entry(cur.value) };
      const value: Stored = {
        fingerprint: e.fingerprint,
        tool: e.tool,
        state: "pending",
        owner: e.owner,
        claim: e.claim,
        created_at: new Date(now).toISOString(),
      };
      if (await this.keys.write(name, cur.gen, value)) return { claimed: true };
      if (attempt >= 50) throw new Error(`${this.keys.dir}: could not claim an idempotency key: too many concurrent claims`);
    }
  }

  async complete(key: string, outcome: { job_id?: string; result?: string }): Promise<void> {
    const result = keptResult(outcome.result);
    await this.keys.update<void>(keyHash(key), (cur) =>
      live(cur)
        ? {
            value: {
              ...cur,
              state: "done",
              ...(outcome.job_id !== undefined ? { job_id: outcome.job_id } : {}),
              ...(result !== undefined ? { result } : {}),
            },
            result: undefined,
          }
        : { result: undefined },
    );
  }

  async forget(key: string, claim: string): Promise<void> {
    await this.keys.update<void>(keyHash(key), (cur) =>
      live(cur) && cur.state === "pending" && (cur.claim === undefined || cur.claim === claim)
        ? { value: { ...cur, forgotten_at: Date.now() }, result: undefined }
        : { result: undefined },
    );
  }

  async forgetJob(key: string, jobId: string): Promise<void> {
    await this.keys.update<void>(keyHash(key), (cur) =>
      live(cur) && cur.state === "done" && cur.job_id === jobId
        ? { value: { ...cur, forgotten_at: Date.now() }, result: undefined }
        : { result: undefined },
    );
  }

  async get(key: string): Promise<KeyEntry | undefined> {
    const cur = (await this.keys.read(keyHash(key))).value;
    return live(cur) ? entry(cur) : undefined;
  }

  /** Removes keys dead (expired or given up) for over an hour; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await this.keys.names()) {
      const cur = await this.keys.read(name);
      const since = cur.value ? deadSince(cur.value, now) : 0;
      if (since !== undefined && now - since >= SWEEP_MS) {
        await this.keys.remove(name, cur.gen);
        removed++;
      }
    }
    return removed;
  }
}
