/**
 * Jobs a server process left unfinished when it stopped (killed, crashed, or a desktop client that
 * quit mid-video) are picked up without anyone asking, so a billed output is saved before its vendor
 * URL expires and the job's budget reservation ends. Shortly after start and then every while, the
 * newest records are read; each unfinished one whose owner process is gone is resumed as a
 * `wait_for_job` would resume it (resume.ts: its vendor task polled until it ends and the outputs
 * saved, a lost create looked up, a synchronous call ended Interrupted). A process's own vendor
 * tasks whose polling stopped (repeated failed polls, or trackIdleMs without interest) are polled
 * again, so a task that runs for hours still has its outputs saved. One process takes each
 * orphaned job: a lease in the job store, taken again at every sweep while it drives the job, so replicas do
 * not all poll the same task. A record with no owner (written before owners were kept for vendor
 * tasks) is left for a caller to resume. Then the budget reservations gone processes still hold
 * are ended (SpendLedger.endAbandoned): as their jobs among the records ended, or spent when they
 * made no job there; an unfinished job's is left to the job.
 */
import type { ReservationJob } from "../cost/ledger.js";
import { reservationJob } from "../cost/settle.js";
import { log } from "../log.js";
import { recordKey, type JobStore } from "./store.js";
import { TERMINAL, type JobRecord } from "./types.js";

export interface OrphanTimes {
  /** Delay from start to the first sweep (ms). */
  firstMs: number;
  /** Delay between sweeps (ms); a job's lease lasts three of them. */
  everyMs: number;
  /** How many of the newest records each sweep reads. */
  scan: number;
}

export const ORPHAN_TIMES: OrphanTimes = { firstMs: 30_000, everyMs: 10 * 60_000, scan: 1000 };

export class OrphanJobs {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private sweeping?: Promise<number>;
  /** Leases of the jobs this process took, given up when it stops. */
  private readonly held = new Set<string>();
  private readonly times: OrphanTimes;

  constructor(
    private readonly store: JobStore,
    /** Resumes the job and starts driving it here (JobEngine.wait with no budget). */
    private readonly resume: (jobId: string) => Promise<unknown>,
    times: Partial<OrphanTimes> = {},
    /** Whether this process can run another's job: one for a vendor it has credentials for, outside --sandbox (whose simulators never saw the task). */
    private readonly canTake: (r: JobRecord) => boolean = () => true,
  ) {
    this.times = { ...ORPHAN_TIMES, ...times };
  }

  start(): void {
    this.schedule(this.times.firstMs);
  }

  /** Stops sweeping and gives up the leases of the jobs taken (another process may take them at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
    if (!this.held.size) return;
    const holder = this.store.owner().boot;
    await Promise.all([...this.held].map((name) => this.store.drop(name, holder).catch(() => undefined)));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => this.schedule(this.times.everyMs));
    }, ms).unref();
  }

  /**
   * Takes and resumes the unfinished jobs among the newest records whose owner process is gone, then
   * settles the budget reservations such processes left without an unfinished job among those
   * records (a call that made no job, such as a chat); how many jobs it had not taken before.
   */
  async sweep(): Promise<number> {
    const listed = Date.now();
    const records = await this.store.list(this.times.scan).catch((err: unknown) => {
      log.warn("could not read the job records to resume jobs whose server process stopped", { error: String(err) });
    });
    if (!records) return 0;
    const leases = new Set<string>();
    for (const r of records) {
      if (this.stopped) break;
      await this.take(r, leases).catch((err: unknown) =>
        log.warn("could not resume a job whose server process stopped", { error: String(err) }),
      );
    }
    const taken = [...leases].filter((lease) => !this.held.has(lease)).length;
    // The jobs taken before and not seen again have ended: their leases run out by themselves.
    if (!this.stopped) this.held.clear();
    for (const lease of leases) this.held.add(lease);
    if (taken) log.info("resumed jobs whose server process had stopped", { jobs: taken });
    if (!this.stopped) await this.endAbandoned(records, listed);
    return taken;
  }

  /** Ends the reservations gone processes made before `listed`: as their jobs in `records` ended, or spent when they have none there (resuming an unfinished job ends its own). */
  private async endAbandoned(records: JobRecord[], listed: number): Promise<void> {
    const jobs = new Map<string, ReservationJob>();
    for (const r of records) {
      const job = reservationJob(TERMINAL.has(r.status), r.cost);
      if (job) jobs.set(r.cost!.reservation!.id, job);
    }
    const ended = await this.store.spend.endAbandoned(jobs, listed).catch((err: unknown) => {
      log.warn("could not settle the budget reservations of server processes that stopped", { error: String(err) });
      return 0;
    });
    if (ended) log.info("settled budget reservations left by server processes that stopped mid-call", { reservations: ended });
  }

  /** Takes the job if it is unfinished, its owner is gone and no other process has taken it (again, for one this process took). */
  private async take(r: JobRecord, leases: Set<string>): Promise<void> {
    const { owner } = r;
    if (TERMINAL.has(r.status) || !owner) return;
    const me = this.store.owner();
    if (owner.pid === me.pid && owner.boot === me.boot) {
      // Its own vendor task, driven again if its polling stopped (failed polls, or hours nobody asked).
      if (r.vendor_task_id) this.resume(r.job_id).catch((err: unknown) => log.warn("could not poll a job again", { error: String(err) }));
      return;
    }
    if (!this.canTake(r) || (await this.store.ownerAlive(owner))) return;
    const lease = `orphan:${recordKey(r.job_id)}`;
    const ttl = this.times.everyMs * 3;
    // Taking a lease one holds already does not extend it: a job this process took is renewed.
    const mine = (this.held.has(lease) && (await this.store.renew(lease, me.boot, ttl))) || (await this.store.acquire(lease, me.boot, ttl));
    if (!mine) return;
    leases.add(lease);
    // Not awaited: a resumed task's first poll can take seconds, and the jobs are independent.
    this.resume(r.job_id).catch((err: unknown) => {
      // This process cannot run it (e.g. it has no credentials for its vendor): another one may.
      log.warn("could not resume a job whose server process stopped", { vendor: r.vendor, error: String(err) });
      leases.delete(lease);
      this.held.delete(lease);
      void this.store.drop(lease, me.boot).catch(() => undefined);
    });
  }
}
