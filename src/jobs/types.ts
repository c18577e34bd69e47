/** Job vocabulary shared by every vendor. No MCP types here. */
import type { Reservation } from "../cost/ledger.js";
import type { Actual, Estimate, VendorUsage } from "../vendors/kit/price.js";
/**
 * `submitting`: the create request was sent and its answer has not come yet (the caller's wait ran
 * out first); the job id already works and later calls resolve it without sending a second create.
 */
export const JOB_STATUSES = ["submitting", "queued", "running", "succeeded", "failed", "cancelled", "expired"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled", "expired"]);

export interface Asset {
  /** `media://files/<name>`, readable with resources/read. */
  uri: string;
  mime_type: string;
  bytes: number;
  sha256: string;
  /** Absolute path in the output folder. */
  path?: string;
  /** The vendor's URL, when the output came from one. */
  url?: string;
  /** When the vendor URL stops working (ISO 8601). */
  expires_at?: string;
  width?: number;
  height?: number;
  duration_s?: number;
  /** What this asset is when a job has several kinds of output (e.g. `last_frame`). */
  role?: string;
  /** `s3` once the file is in the configured bucket (AIGC_MCP_S3_BUCKET) under its name. */
  storage?: "s3";
  /**
   * Why the file is not in the configured bucket: its upload failed, or was skipped while the store
   * did not answer (the store's error, at most 300 characters). The file is then only in the output
   * folder of the server that saved it.
   */
  storage_error?: string;
}

export interface JobErrorShape {
  code: string;
  /** What went wrong, without the advice (that is `hint`). */
  message: string;
  request_id?: string;
  /** The vendor's HTTP status, when the failure was an HTTP answer. */
  http_status?: number;
  /** What to do about it ("What to do: …" in the text). Records written before it had the advice in `message`. */
  hint?: string;
}

/** What a vendor hands back for one output, before it is saved locally. */
export interface VendorOutput {
  url?: string;
  /** Decoded bytes (for vendors that answer with base64). */
  data?: Buffer;
  /** A response stream (vendors that answer with the media body itself). */
  stream?: import("node:stream").Readable;
  mime?: string;
  expiresAt?: string;
  role?: string;
}

export interface PollResult {
  status: JobStatus;
  outputs?: VendorOutput[];
  /**
   * A success whose answer is data, not media (e.g. a subject-recognition verdict as JSON): with no
   * outputs it is recorded as the job's `detail` instead of failing for lack of a file.
   */
  data?: string;
  error?: JobErrorShape;
  /** Vendor-reported progress, 0-100, when it has one. */
  percent?: number;
  /** Short human-readable state, e.g. "queued (position 3)". */
  detail?: string;
  model?: string;
  /** The vendor's hint for when to look again. */
  pollAfterMs?: number;
  /**
   * Set with `expired` when the vendor answered that it does not know the task (not that the task
   * ran out of time): with other credentials a running job's task is unknown too (vendor-task.ts).
   */
  unknownTask?: boolean;
  /** What the vendor reports the task used or charged (Ark's tokens, Kling's deduction), for the actual cost. */
  usage?: VendorUsage;
  /**
   * With `failed`: the vendor's answer says it charged for the work anyway (Seedream's usage counts
   * an image whose answer holds none this server can read), so the job counts as spent, not as unbilled.
   */
  billed?: true;
}

/**
 * Everything needed to find a job again, in any server process holding the same credentials: in
 * the job id itself when it fits, else in the job record (handle.ts).
 */
export interface JobHandle {
  v: 1;
  /** Vendor id, e.g. `ark`. */
  vd: string;
  /** Operation, e.g. `video`; picks the driver. */
  op: string;
  /** Vendor task id (absent for synchronous vendor calls that run inside this server). */
  task?: string;
  model?: string;
  /** Driver-specific facts needed to poll (e.g. a Kling endpoint family, a Jimeng req_key). */
  x?: Record<string, string>;
  /** Random id for local (synchronous) jobs. */
  lid?: string;
  /** Creation time, seconds since the epoch. */
  t: number;
}

export interface CancelOutcome {
  /** True when the vendor confirmed the cancellation. */
  cancelled: boolean;
  /** Plain statement for the model, e.g. "Ark cannot cancel a task that is already running." */
  message: string;
  status?: JobStatus;
}

/** What is known of a create whose answer was lost, to find the task it may have made. */
export interface LostTaskQuery {
  model?: string;
  /** When the create was sent and when its answer was given up (ms since the epoch). */
  sentAtMs: number;
  lostAtMs: number;
  /** Request facts kept with the job: ones the vendor echoes in its task records (e.g. `ratio`), or the id it was sent under. */
  facts: Record<string, string>;
  /** Task ids already attached to other jobs of this store. */
  taken: ReadonlySet<string>;
}

export interface DriverContext {
  signal: AbortSignal;
}

/** Polls (and optionally cancels) one kind of vendor task. Registered per vendor + op. */
export interface TaskDriver {
  vendor: string;
  op: string;
  /** How long the vendor keeps a task answerable (Jimeng: 12 h), when shorter than a day. */
  taskRetentionMs?: number;
  poll(handle: JobHandle, ctx: DriverContext): Promise<PollResult>;
  /**
   * Throws (`InvalidJobId`, an invalid_input AigcError) for a handle this driver cannot poll, such as
   * a job id missing the facts its polls need: checked before a job id alone becomes a job.
   */
  checkHandle?(handle: JobHandle): void;
  /** Present only when the vendor has a cancel endpoint for this kind of task. */
  cancel?(handle: JobHandle, ctx: DriverContext): Promise<CancelOutcome>;
  /** The job states in which `cancel` can work (Ark: queued only); default every unfinished state. */
  cancelWhile?: readonly JobStatus[];
  /** Without `cancel`: what cancel_job says instead (default: the vendor has no cancel endpoint for this kind of task). */
  noCancel?: string;
  /**
   * Finds the task a create with a lost answer may have made (Ark's task list, Kling's external
   * task id): its id (and any poll facts `x`) when exactly one task matches, `ambiguous` with the
   * candidates when several do, undefined when none; `how` says how it was found when not by a
   * lookup (the job's detail then says so). Absent when the vendor offers no way to look a task up.
   * This is the one lost-answer path (kinds/submitting.ts); no client resends a create.
   */
  findLost?(
    query: LostTaskQuery,
    ctx: DriverContext,
  ): Promise<{ task: string; x?: Record<string, string>; how?: string } | { ambiguous: string[] } | undefined>;
  /** Default poll interval for this kind of task. */
  pollIntervalMs?: number;
  /** Media kind expected from outputs, checked on download. */
  outputKind: "image" | "video" | "audio";
}

export interface JobRecord {
  job_id: string;
  status: JobStatus;
  vendor: string;
  op: string;
  model?: string;
  vendor_task_id?: string;
  /** Driver facts of a task created after its job id was minted (a job that started `submitting`). */
  task_x?: Record<string, string>;
  assets: Asset[];
  error?: JobErrorShape;
  /** Short description given at start (prompt excerpt), shown by list_jobs. */
  label?: string;
  detail?: string;
  percent?: number;
  created_at: string;
  updated_at: string;
  /** Process that runs a local job, so another process can tell a dead job from a live one. */
  owner?: {
    pid: number;
    boot: string;
    /** Which boot of the machine the process ran in (file store; owner.ts): a pid from an earlier boot is another process now. */
    machine?: string;
    /** When the process started (Linux: clock ticks since boot), telling it from a later process with its pid. */
    started?: string;
    /** Its pid namespace (Linux): a pid means something only within it (two containers may both be pid 1). */
    ns?: string;
  };
  /** The job's handle, for a keyed job id (handle.ts): the id alone does not carry it. */
  handle?: JobHandle;
  /** What the vendor reported the job used or charged. */
  usage?: VendorUsage;
  /** The call's estimate, the budget reservation it holds until the job ends, and the actual cost once known. */
  cost?: JobCost;
  /** The `delivery` of the MCP task call that started the job: its tasks/result answers in it. */
  task_delivery?: "embed" | "link" | "preview";
}

/** A job's cost: estimated before the call, reserved against the budget, actual once the vendor reports usage. */
export interface JobCost {
  estimate: Estimate;
  reservation?: Reservation;
  actual?: Actual;
  /** How the job ended for billing: spent (billed, or maybe) or released (not billed); a reservation ends the same way. */
  settled?: "spent" | "released";
  /** A job that failed after the vendor made its output (which it bills): only keeping the output failed here. */
  made?: true;
}
