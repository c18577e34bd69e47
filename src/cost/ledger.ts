/**
 * What budgets and idempotency keys need from the job store (issue 14 items 5 and 7): a spend
 * ledger whose reservations are atomic across concurrent calls and every process sharing the store,
 * and idempotency keys. Both backends implement them: the output folder (file-store.ts) and Redis
 * (redis-store.ts), so replicas sharing AIGC_MCP_REDIS_URL share one budget and one set of keys.
 * No MCP types here.
 */
import type { JobOwner } from "../jobs/owner.js";
import type { Currency } from "../vendors/kit/price.js";
import type { SpendLimit } from "./config.js";

/** Money held for one call, from before its vendor request until it is settled or released. */
export interface Reservation {
  /** Unique per call. */
  id: string;
  vendor: string;
  currency: Currency;
  /** The estimate held (0 for an unpriced call let through by AIGC_MCP_BUDGET_UNKNOWN_PRICE=allow). */
  amount: number;
  /** False for a call whose price is unknown (counted as unpriced, not as money). */
  priced: boolean;
  /** The budget day and month it counts in (YYYY-MM-DD and YYYY-MM in the budget time zone). */
  day: string;
  month: string;
}

/** Why a reservation did not fit: the first limit it would pass. */
export interface BudgetRefusal {
  limit: SpendLimit;
  /** Already spent in the limit's period and scope, and held for calls still running. */
  spent: number;
  reserved: number;
  /** What the call asked for. */
  wanted: number;
  /** When the period ends (ISO 8601, UTC offset). */
  resetsAt: string;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; refusal: BudgetRefusal };

/** Spend of one vendor in one currency on one budget day. */
export interface SpendRow {
  day: string;
  vendor: string;
  currency: Currency;
  /** Settled spend (actual where the vendor reported it, else the estimate). */
  spent: number;
  /** Held for calls not settled yet. */
  reserved: number;
  /** Priced calls reserved that day (settled or not, not released). */
  calls: number;
  /** Calls whose price was unknown. */
  unpriced: number;
}

export interface SpendLedger {
  /**
   * Atomically, across processes sharing the store: checks every limit that applies to the call
   * (the vendor's own and the all-vendor ones, daily and monthly, in the call's currency) against
   * spent + reserved + amount; when all fit, adds `amount` to reserved for the day and the month.
   * `now` (default: the clock) picks the day and month in `timezone`. `background`: for a call no
   * limit applies to (`limits` empty, nothing to refuse), answer at once and write the reservation
   * while the call goes on (background.ts); settle, release and report wait for that write.
   */
  reserve(req: {
    id: string;
    vendor: string;
    currency: Currency;
    amount: number;
    priced: boolean;
    limits: readonly SpendLimit[];
    timezone: string;
    now?: Date;
    background?: boolean;
  }): Promise<ReserveResult>;
  /** Turns a reservation into spend (`actual` when the vendor reported it, else the amount held); counted once per id, whichever process calls. */
  settle(r: Reservation, actual?: number): Promise<void>;
  /** Drops a reservation whose call was not billed; once per id, and never after it was settled. */
  release(r: Reservation): Promise<void>;
  /** Starts at once the writes a backend holds back to gather changes into one (the file ledger's). */
  writeNow?(): void;
  /** Spend per day, vendor and currency from `from` to `to` (YYYY-MM-DD, inclusive), oldest first. */
  report(from: string, to: string): Promise<SpendRow[]>;
  /**
   * Ends the reservations made before `before` (epoch ms), in the budget months around it, by
   * server processes that are gone (ReservationOwners.ownerAlive). `jobs` (by reservation id) says
   * what is known of their jobs: one `running` is left (resuming the job ends it); one whose job
   * ended ends as the job did (its end was not written before its process died); one with no job
   * (a call that made none, such as a chat, or one that died before its job existed) may have been
   * billed, so it is settled at what it holds, as an interrupted job is. Once per reservation across
   * processes; returns how many this call ended.
   */
  endAbandoned(jobs: ReadonlyMap<string, ReservationJob>, before: number): Promise<number>;
}

/** What is known of a reservation's job: `running`, or how it ended (`actual` in the reservation's currency). */
export type ReservationJob = "running" | { settled: "spent" | "released"; actual?: number };

/** Whose reservations a ledger holds: the job store's process stamp and liveness check (owner.ts). */
export interface ReservationOwners {
  owner(): JobOwner;
  ownerAlive(owner: JobOwner): Promise<boolean>;
}

/** What an idempotency key stands for. */
export interface KeyEntry {
  /** sha256 of the tool name and the call's canonical arguments. */
  fingerprint: string;
  tool: string;
  /** `pending` while the first call with the key runs; `done` once it made its job (or its result). */
  state: "pending" | "done";
  job_id?: string;
  /** The whole result (JSON) of a call that answered without a job, at most 256 KiB. */
  result?: string;
  /** The process that claimed it (liveness as for jobs). */
  owner: JobOwner;
  /** The claiming call's own random id: a claim given up is removed only if it is still that call's. */
  claim?: string;
  created_at: string;
}

/** Idempotency keys, kept 24 hours from their claim. */
export interface IdempotencyKeys {
  /** Claims `key` for a new call, unless it is already claimed: then the existing entry. Atomic across processes. */
  claim(
    key: string,
    entry: { fingerprint: string; tool: string; owner: JobOwner; claim: string },
  ): Promise<{ claimed: true } | { claimed: false; entry: KeyEntry }>;
  /** Records what the claimed call made: its job id, or its whole result when it made no job. */
  complete(key: string, outcome: { job_id?: string; result?: string }): Promise<void>;
  /** Gives up the claim `claim` (KeyEntry.claim) of a call that failed before any vendor request could have been billed; a done entry, or another call's claim, stays. */
  forget(key: string, claim: string): Promise<void>;
  /** Frees a key whose call made job `jobId` that the vendor refused unbilled (a done entry of another job stays). */
  forgetJob(key: string, jobId: string): Promise<void>;
  get(key: string): Promise<KeyEntry | undefined>;
}
