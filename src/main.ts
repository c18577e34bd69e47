/** The server: parse flags and environment once, then run `check` or serve over stdio/HTTP (started by index.ts). */
import "./net/v8-flags.js"; // first: V8 settings that must precede start-up's allocations
import { dirname, join } from "node:path";
import { ConfigError, CORE_ENV, parseCoreConfig, type CoreConfig, type Env } from "./config.js";
import { expandHome } from "./home-path.js";
import { configWarnings, sharingWarnings, unknownVariableWarnings } from "./config-warnings.js";
import { compileCache } from "./compile-cache.js";
import { SANDBOX_DRAINED_DETAIL } from "./jobs/wait.js";
import { bucketFor, createContext, jobStore } from "./context.js";
import { configErrorText, helpText, parseArgs, UsageError } from "./cli.js";
import { describeError, joinSentences } from "./errors.js";
import { probeWritable } from "./media/disk.js";
import { keepRunningWithoutStderr, log, redact, setLogLevel } from "./log.js";
import { jobsToolsetWarning, listVars, loadVendors, PLUGINS, registerSecrets, toolsetWarning } from "./plugins.js";
import { listedToolsets } from "./server.js";
import { readToolList } from "./stored-tool-list.js";
import { trimCredentials } from "./secret-env.js";
import type { LiveModel, LoadedVendor } from "./tools/plugin.js";
import { VERSION } from "./version.js";

/** The flags given, by the variable each sets: a configuration error names the flag too. */
let flags: Record<string, string> = {};

async function main(argv: string[]): Promise<void> {
  keepRunningWithoutStderr();
  const args = parseArgs(argv);
  flags = args.flags;
  // A CLI command piped into a reader that stops early (`check | head`): the reader has what it wanted
  // (and check's exit code the FAILs it saw). A serving stdio server's stdout is its transport's.
  if (args.command !== "serve")
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(failedLines ? CHECK_EXIT.failed : 0);
    });
  if (args.command === "help") return void process.stdout.write(helpText());
  if (args.command === "version") return void process.stdout.write(`${VERSION}\n`);

  let env: Env = { ...process.env, ...args.env };
  // the stored tool list's key: the environment as given (--sandbox replaces the vendors' below)
  const given = env;
  const early = env.AIGC_MCP_LOG_LEVEL;
  if (early === "debug" || early === "info" || early === "warn" || early === "error") setLogLevel(early);
  let closeSandbox: (() => Promise<void>) | undefined;
  if (args.sandbox) {
    const { ignoredBySandbox, startSandbox } = await import("./sandbox/index.js");
    const sandbox = await startSandbox();
    closeSandbox = () => sandbox.close();
    const ignored = ignoredBySandbox(env);
    if (ignored) log.warn(ignored);
    // The vendor keys the sandbox leaves unused are still credentials of this machine: never shown.
    registerSecrets(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v?.trim()])));
    const vendorVars = new Set(PLUGINS.flatMap((p) => p.env.map((v) => v.name)));
    env = Object.fromEntries(Object.entries(env).filter(([k]) => !vendorVars.has(k)));
    Object.assign(env, sandbox.env);
    env.AIGC_MCP_OUTPUT_DIR ||= join(expandHome("~/aigc-mcp-output"), "sandbox");
    for (const line of sandbox.lines) log.info(`sandbox: ${line}`);
  }
  const vendorSecrets = PLUGINS.flatMap((p) => p.env.filter((v) => v.secret).map((v) => v.name));
  env = trimCredentials(env, [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)], new Set(vendorSecrets));
  registerSecrets(env);
  const core = parseCoreConfig(env);
  core.sandbox = args.sandbox;
  setLogLevel(core.logLevel);
  const declared = [...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)].map((v) => v.name);
  for (const warning of [...configWarnings(env), ...sharingWarnings(env), ...unknownVariableWarnings(given, declared)]) log.warn(warning);
  const cache = compileCache();
  if (cache) {
    // a refused folder (another user's, writable by others) costs every start its cache: said as a warning
    const level = cache.status === "off" && !env.NODE_DISABLE_COMPILE_CACHE ? "warn" : "debug";
    log[level](`compile cache ${cache.status}${cache.reason ? `: ${cache.reason}` : ""}`, cache.file ? { file: cache.file } : undefined);
  }
  // A stdio start first lists what the last start of this build and configuration listed (read while
  // the vendors load).
  const storedList =
    args.command === "serve" && core.transport === "stdio"
      ? readToolList(cache?.file ? { dir: dirname(cache.file), build: cache.build } : undefined, given, listVars(), args.sandbox)
      : undefined;
  const vendors = await loadVendors(env, core);

  if (args.command === "budget") {
    const store = await jobStore(core);
    const { budgetStatus } = await import("./cost/status.js");
    process.stdout.write(`${(await budgetStatus(store.spend, core.cost, 31)).text}\n`);
    await store.close();
    await closeSandbox?.();
    process.exit(0);
  }
  if (args.command === "check") {
    // The job store is the output folder unless Redis is set: no "ok jobs" line after a failed folder.
    const store = (await checkOutputFolder(core)) || (await checkJobStore(core));
    const bucket = await checkBucket(core);
    const local = store !== 0 || bucket !== 0;
    const vendorsCode = await runCheck(vendors);
    await closeSandbox?.();
    // A failing output folder or job store is a failure even when no vendor was tested.
    process.exit(local ? CHECK_EXIT.failed : vendorsCode);
  }
  const warning = toolsetWarning(
    core.toolsets,
    vendors.map((v) => v.id),
  );
  if (warning) log.warn(warning);
  const noJobs = jobsToolsetWarning(core.toolsets, vendors);
  if (noJobs) log.warn(noJobs);
  const app = await createContext(core, vendors, args.sandbox ? { pollMinMs: 500 } : undefined);
  const listed = listedToolsets(app);
  log.info(
    `listing ${listed.map((t) => `${t.toolset} (${t.tools.length})`).join(", ")} (${core.toolsets ? `AIGC_MCP_TOOLSETS=${core.toolsets.join(",")}` : "AIGC_MCP_TOOLSETS unset"})`,
    {
      tools: listed.flatMap((t) => t.tools.map((d) => d.name)),
    },
  );
  if (core.transport === "http") {
    const { serveHttp } = await import("./transports/http.js");
    const handle = await serveHttp(app);
    let stopping = false;
    // A rolling restart sends SIGTERM: calls in flight are answered first (waits on vendor tasks at
    // once, with their job id; synchronous calls within the grace), then the process exits.
    const stop = async (signal: string) => {
      if (stopping) {
        log.warn(`aigc-mcp exiting at once: ${signal} again while shutting down`);
        process.exit(1);
      }
      stopping = true;
      const graceMs = core.shutdownGraceMs;
      const deadline = Date.now() + graceMs;
      log.info(`aigc-mcp shutting down: ${signal}; answering the calls in flight (up to ${graceMs / 1000} s, AIGC_MCP_SHUTDOWN_GRACE_S)`);
      app.jobs.drain(core.sandbox ? SANDBOX_DRAINED_DETAIL : undefined);
      // Jobs no other process can finish (a synchronous call whose caller has gone, a billed answer
      // still arriving) get the grace too, as the calls still waiting on them do.
      await Promise.all([handle.drain(graceMs), app.jobs.finishHeld(graceMs)]);
      // What is still running past the grace is stopped, and its callers told so: jobs first (a
      // synchronous call's job fails Interrupted), then calls that made no job (a chat). A late
      // upload to the bucket under way gets what is left of the grace to land and record itself.
      await app.close(Math.max(1000, deadline - Date.now()));
      app.calls.stopAll();
      await handle.drain(1000);
      await handle.close();
      await closeSandbox?.();
      log.info("aigc-mcp exiting");
      process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  } else {
    const { serveStdio } = await import("./transports/stdio.js");
    await serveStdio(app, storedList);
  }
}

/** `check`'s line for the output folder when it cannot be written (the server would refuse to start). */
async function checkOutputFolder(core: CoreConfig): Promise<number> {
  try {
    await probeWritable(core.outputDir);
    return 0;
  } catch (err) {
    failLine(`${"output".padEnd(10)} AIGC_MCP_OUTPUT_DIR: ${describeError(err).split("\n")[0]}\n`);
    return 1;
  }
}

/** `check`'s line for the job store: Redis (AIGC_MCP_REDIS_URL) answers PING, or the records stay in the output folder. */
async function checkJobStore(core: CoreConfig): Promise<number> {
  if (!core.redis) {
    process.stdout.write(`ok    ${"jobs".padEnd(10)} job records in the output folder ${core.outputDir} (AIGC_MCP_REDIS_URL not set)\n`);
    return 0;
  }
  const { RedisJobStore } = await import("./jobs/redis-store.js");
  try {
    const store = await RedisJobStore.connect({ ...core.redis, retentionDays: core.jobRetentionDays });
    process.stdout.write(`ok    ${"redis".padEnd(10)} connected to ${store.where} (key prefix ${core.redis.prefix})\n`);
    await store.close();
    return 0;
  } catch (err) {
    failLine(`${"redis".padEnd(10)} ${oneLine(err)}\n`);
    return 1;
  }
}

/** `check`'s line for the bucket (AIGC_MCP_S3_BUCKET), when one is set: the server checks it the same way at start-up. */
async function checkBucket(core: CoreConfig): Promise<number> {
  const bucket = bucketFor(core);
  if (!bucket) return 0;
  try {
    await bucket.check();
    process.stdout.write(`ok    ${"bucket".padEnd(10)} ${bucket.cfg.bucket} answers (HeadBucket)\n`);
    return 0;
  } catch (err) {
    failLine(`${"bucket".padEnd(10)} AIGC_MCP_S3_BUCKET: ${oneLine(err)}\n`);
    return 1;
  } finally {
    bucket.close();
  }
}

/** FAIL lines `check` has written: a reader that stops early (`check | head`) still gets a failing exit code for those. */
let failedLines = 0;

function failLine(text: string): void {
  failedLines++;
  process.stdout.write(`FAIL  ${text}`);
}

/** An error as one line of `check`'s output: its first line and its "What to do", as sentences. */
const oneLine = (err: unknown) => joinSentences(...describeError(err).split("\n"));

/** `check`'s exit codes: every configured vendor passed, one failed, nothing was tested (2 is a configuration error). */
const CHECK_EXIT = { ok: 0, failed: 1, nothingTested: 3 } as const;

async function runCheck(vendors: LoadedVendor[]): Promise<number> {
  let failed = 0;
  const configured = new Set(vendors.map((v) => v.id));
  for (const v of vendors) {
    try {
      const msg = await v.check(AbortSignal.timeout(20_000));
      process.stdout.write(`ok    ${v.id.padEnd(10)} ${msg}\n`);
      for (const line of await shutDownDefaults(v)) process.stdout.write(`WARN  ${v.id.padEnd(10)} ${line}\n`);
    } catch (err) {
      failed++;
      failLine(`${v.id.padEnd(10)} ${oneLine(err)}\n`);
    }
  }
  for (const m of PLUGINS.filter((p) => !configured.has(p.id))) {
    const needed =
      m.enableWith ??
      m.env
        .filter((e) => e.secret)
        .map((e) => e.name)
        .join(" and ");
    process.stdout.write(`skip  ${m.id.padEnd(10)} not configured (set ${needed})\n`);
  }
  if (!vendors.length) {
    process.stdout.write("nothing tested: no vendor is configured; set one vendor's credentials (above), or try --sandbox\n");
    return CHECK_EXIT.nothingTested;
  }
  return failed ? CHECK_EXIT.failed : CHECK_EXIT.ok;
}

/** Defaults of this vendor's tools that the vendor's own model list shows as shut down (or no longer lists as active). */
async function shutDownDefaults(v: LoadedVendor): Promise<string[]> {
  const models = v.models;
  // No default to check: no need to read the list (the vendor's own check may have said it cannot be read).
  if (!models?.live || !models.tools.some((t) => t.default)) return [];
  let listed: LiveModel[];
  try {
    listed = await models.live(AbortSignal.timeout(20_000));
  } catch (err) {
    return [`could not read the vendor's model list to check the default models: ${describeError(err).split("\n")[0]}`];
  }
  const out: string[] = [];
  for (const t of models.tools) {
    const found = t.default ? listed.find((m) => m.id === t.default) : undefined;
    if (found?.status && /shut ?down|retired|offline|deprecated/i.test(found.status)) {
      out.push(
        `${t.tool}: the default model ${found.id} is listed by the vendor as ${found.status}; set ${t.variable ?? "model"} to a current model`,
      );
    }
  }
  return [...new Set(out)];
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError || err instanceof UsageError) {
    const text = err instanceof ConfigError ? `configuration error: ${configErrorText(err, flags)}` : err.message;
    process.stderr.write(redact(`aigc-mcp: ${text}\n`));
    process.exit(2);
  }
  process.stderr.write(redact(`aigc-mcp: ${err instanceof Error ? err.message : String(err)}\n`));
  process.exit(1);
});
