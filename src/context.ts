/** Everything tools need at run time, built once per process and shared by every MCP session. */
import { ConfigError, type CoreConfig } from "./config.js";
import { AigcError, joinSentences } from "./errors.js";
import { JobEngine, type EngineOptions } from "./jobs/engine.js";
import { FileJobStore } from "./jobs/file-store.js";
import { OrphanJobs } from "./jobs/orphans.js";
import { LateUploads, type LateUploadTimes } from "./jobs/late-uploads.js";
import type { JobStore } from "./jobs/store.js";
import type { JobRecord } from "./jobs/types.js";
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { parse, resolve } from "node:path";
import { log, registerSecret } from "./log.js";
import type { InputPolicy } from "./media/inputs.js";
import { BoundedQueue } from "./media/queue.js";
import { Bucket } from "./media/bucket.js";
import { SignedMediaUrls } from "./media/signed-url.js";
import { FreshBytes } from "./media/fresh-bytes.js";
import { MediaStore } from "./media/store.js";
import { fetchPolicy } from "./net/fetch-policy.js";
import { setConnectionsPerOrigin } from "./net/pools.js";
import { callsOpen } from "./net/v8-flags.js";
import { OpenCalls } from "./open-calls.js";
import type { LoadedVendor } from "./tools/plugin.js";
import { taskCallbacks, type TaskCallbacks } from "./net/task-callbacks.js";

export interface AppContext {
  config: CoreConfig;
  media: MediaStore;
  jobs: JobEngine;
  inputs: InputPolicy;
  vendors: LoadedVendor[];
  /** Signed download URLs served over HTTP (AIGC_MCP_PUBLIC_URL), when configured. */
  links?: SignedMediaUrls;
  /** Vendor task callbacks served over HTTP (AIGC_MCP_TASK_CALLBACKS with AIGC_MCP_PUBLIC_URL), when configured. */
  callbacks?: TaskCallbacks;
  /** The tool calls being answered (a shutdown stops those still open at the end of its grace). */
  calls: OpenCalls;
  /** Uploads to the bucket that failed, tried again (a result showing the job waits briefly for it). */
  uploads: LateUploads;
  /**
   * Stops what the context runs in the background (late uploads, sweeps) and closes the job engine
   * and its store, waiting up to `timeoutMs` (default 5 000) for the jobs it follows to stop. Safe
   * to call more than once: later calls share the first one's promise.
   */
  close(timeoutMs?: number): Promise<void>;
}

export async function createContext(
  config: CoreConfig,
  vendors: LoadedVendor[],
  engineOptions?: EngineOptions,
  uploadTimes?: Partial<LateUploadTimes>,
): Promise<AppContext> {
  registerSecret(config.authToken);
  setConnectionsPerOrigin(config.maxConnections);
  const media = new MediaStore(
    config.outputDir,
    config.maxMediaBytes,
    config.vendorTimeoutMs,
    fetchPolicy(config.fetchAllowHosts, config.vendorEndpoints),
  );
  media.queue = new BoundedQueue(config.maxOpenFiles);
  media.sharedRecords = Boolean(config.redis);
  // Held only where results embed by default: under link or preview they would sit unused until dropped.
  media.fresh = new FreshBytes(config.delivery === "embed" ? config.inlineMaxBytes : 0);
  await media.checkWritable().catch((err: unknown) => {
    throw new ConfigError("AIGC_MCP_OUTPUT_DIR", err instanceof Error ? err.message : String(err));
  });
  const bucket = bucketFor(config);
  if (bucket) {
    media.bucket = bucket;
    media.keepLocal = config.storage!.keepLocal;
    await bucket.check().catch((err: unknown) => {
      const hint = err instanceof AigcError ? err.info.hint : undefined; // what to change: it depends on how the store failed
      throw new ConfigError("AIGC_MCP_S3_BUCKET", joinSentences(err instanceof Error ? err.message : String(err), hint));
    });
  }
  void media.sweepPartials();
  const sweeps = [setInterval(() => void media.sweepPartials(), 10 * 60_000).unref()];
  const store = await jobStore(config);
  void store.sweep().catch(() => undefined);
  sweeps.push(setInterval(() => void store.sweep().catch(() => undefined), 3600_000).unref());
  media.generated = (name) => store.generatedFile(name);
  media.recent = (limit) => store.recentMedia(limit);
  const jobs = new JobEngine(store, media, engineOptions);
  for (const v of vendors) for (const d of v.drivers) jobs.registerDriver(d);
  const uploads = new LateUploads(store, media, (id) => jobs.release(id), uploadTimes);
  uploads.start();
  const canTake = (r: JobRecord) => !config.sandbox && vendors.some((v) => v.id === r.vendor);
  const orphans = new OrphanJobs(store, (id) => jobs.wait(id, { budgetMs: 0 }), engineOptions?.orphans, canTake);
  orphans.start();
  const pm = config.publicMedia;
  const links = pm ? new SignedMediaUrls(pm.url, pm.secret, config.mediaUrlTtlS) : undefined;
  const inputs = { ...inputPolicy(config, media), ...(links ? { ownLinks: links } : {}) };
  logInputRoots(inputs, Boolean(config.inputRoots));
  const callbacks = taskCallbacks(config);
  let closing: Promise<void> | undefined;
  return {
    config,
    media,
    jobs,
    inputs,
    vendors,
    calls: new OpenCalls(callsOpen),
    uploads,
    ...(links ? { links } : {}),
    ...(callbacks ? { callbacks } : {}),
    close(timeoutMs) {
      return (closing ??= (async () => {
        await uploads.stop(timeoutMs);
        for (const t of sweeps) clearInterval(t);
        await orphans.stop();
        await jobs.close(timeoutMs);
      })());
    },
  };
}

/** The job store the configuration names: Redis (AIGC_MCP_REDIS_URL) or the output folder. Throws ConfigError when Redis cannot be reached. */
export async function jobStore(config: CoreConfig): Promise<JobStore> {
  if (!config.redis) return new FileJobStore(config.outputDir, config.jobRetentionDays);
  const { RedisJobStore } = await import("./jobs/redis-store.js");
  const store = await RedisJobStore.connect({ ...config.redis, retentionDays: config.jobRetentionDays }).catch((err: unknown) => {
    throw new ConfigError(
      "AIGC_MCP_REDIS_URL",
      `${err instanceof Error ? err.message : String(err)}. Start Redis or fix the URL; without the variable jobs are kept in the output folder.`,
    );
  });
  log.info(`job records in ${store.where} (prefix ${config.redis.prefix})`);
  return store;
}

function inputPolicy(config: CoreConfig, media: MediaStore): InputPolicy {
  if (config.inputRoots) return { roots: config.inputRoots, maxBytes: config.maxMediaBytes, media };
  if (config.transport === "http") {
    return { roots: [], refusal: "the server runs over HTTP and AIGC_MCP_INPUT_ROOTS is not set", maxBytes: config.maxMediaBytes, media };
  }
  const roots = defaultInputRoots(config.outputDir, process.cwd(), homedir());
  const refusal =
    "the output folder and working directory are each the disk's root or the home folder, never allowed by default; set AIGC_MCP_INPUT_ROOTS";
  return { roots, ...(roots.length ? {} : { refusal }), maxBytes: config.maxMediaBytes, media };
}

/**
 * The input roots over stdio without AIGC_MCP_INPUT_ROOTS: the output folder and the working
 * directory, each unless it is a filesystem root or the bare home folder (desktop clients start
 * servers in `/`, which would let a prompt-injected model send any readable file to a vendor).
 */
export function defaultInputRoots(outputDir: string, cwd: string, home: string): string[] {
  const wide = (dir: string) => resolve(dir) === parse(resolve(dir)).root || resolve(dir) === resolve(home);
  return [outputDir, cwd].filter((dir, i, all) => !wide(dir) && all.indexOf(dir) === i);
}

/** Logs the input roots in force, and warns of each configured one (`configured`) that is missing: it admits nothing until it exists. */
function logInputRoots(inputs: InputPolicy, configured: boolean): void {
  if (inputs.roots.length)
    log.info("input roots (local paths allowed in tool arguments; AIGC_MCP_INPUT_ROOTS changes them)", { roots: inputs.roots });
  else log.info(`no input roots: local paths are refused (${inputs.refusal ?? "none configured"})`);
  if (!configured) return;
  for (const root of inputs.roots) {
    const why = missing(root);
    if (why)
      log.warn(`AIGC_MCP_INPUT_ROOTS names ${root}, which ${why}: local paths under it are refused; fix the path or create the folder`);
  }
}

/** Why `path` cannot be found (does not exist, cannot be looked at), or undefined when it exists. */
function missing(path: string): string | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false }) ? undefined : "does not exist";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOTDIR" ? "does not exist" : `cannot be looked at (${code ?? String(err)})`;
  }
}

/** The bucket AIGC_MCP_S3_* configures, if any (the server's start and `check` test it with `check()`). */
export function bucketFor(config: CoreConfig): Bucket | undefined {
  return config.storage && new Bucket({ ...config.storage, ttlS: config.mediaUrlTtlS });
}
