/**
 * V8 settings that bound the memory a streamed download or upload leaves behind (issue 16, goal 3),
 * set at run time so no launch flag is needed (`npx`, `bin` and MCP clients start plain `node`).
 * The entry imports this module first.
 *
 * Every chunk a socket or file read delivers is a fresh ArrayBuffer outside the JS heap, freed only
 * when a scavenge (young-generation GC) finds its wrapper dead, and a scavenge runs when the young
 * generation fills: all bytes streamed between two scavenges stay allocated. Streaming 500 MB to disk
 * allocates ~10 KB of JS objects per 64 KiB chunk, so with V8's defaults (a young generation grown to
 * 4-6 MiB semi-spaces) 32 MiB of dead chunks piled up between scavenges, most of the 47 MiB peak RSS
 * growth of the first call (cutting JS allocation per chunk would make it worse: fewer scavenges).
 * - `--minor-gc-task-trigger=5`, only while a large stream runs (`largeStream`, below): V8 posts a
 *   scavenge as a task once the young generation is 5% full (default 80%), so one runs every ~1.8 MB
 *   streamed, leaving ~5 MiB of dead chunks at most instead of 18-32. Measured on the 500 MB bench,
 *   side by side with main (load ~5): peak RSS growth to disk 10.8/12.0 vs 47.1/47.2 MiB, to disk and
 *   the bucket 15.5/16.1 vs 53.2/53.1 MiB, at the same MiB/s; ~290 scavenges of ~0.8 ms instead of ~35
 *   per 500 MB. 10% was enough while the entry was one file (14.9 MiB); with the bundle split into
 *   chunks start-up leaves a larger young generation before this module runs (10%: 14-17 MiB).
 *   Set for the whole process it cost every call: ~4 scavenges per Seedream call instead of ~0.1,
 *   ~2.5 ms of the server's ~13 ms CPU per call (issue 16, goal 4), so it is on only while some
 *   output has streamed more than LARGE_STREAM_BYTES, and back to V8's default when none does.
 * - `--semi-space-growth-factor=1`: the young generation stays at the size start-up left it
 *   (--max-semi-space-size counts only at launch; the growth factor is read whenever V8 would grow).
 *   Grown, it is committed memory: without this a fresh server's first 500 MB stream grew RSS by
 *   ~36 MiB. Lifted (V8's default, 2) while BUSY_CALLS or more tool calls are open and no large
 *   stream runs (callsOpen): measured side by side, 1 000 calls in flight took 16.1-17.0 ms of CPU
 *   per call instead of 17.3-19.3, p99 overhead 8.5-13.5 s instead of 10.2-14.0, and peak RSS
 *   222-245 MiB instead of 270-281 (fewer scavenges promote fewer short-lived objects).
 * - `--liftoff-only`: undici parses HTTP with llhttp compiled to WebAssembly when it opens its first
 *   connection, and V8 then recompiles the hot parser functions with its optimising tier in the
 *   background: a one-time ~35 MB RSS peak in the middle of the first call (measured: 54 MB above
 *   start vs 20 MB without it). The baseline compiler's code parses as fast as the socket delivers
 *   here (the bench streams 500 MB at the same rate). Set before undici compiles the module (lazily,
 *   on the first connection); the process has no other WebAssembly.
 * - A full GC every FULL_GC_INTERVAL_MS while large streams move at least FULL_GC_BYTES in between. A
 *   chunk still in flight at two scavenges (queued for a socket or a file write) is promoted to the
 *   old generation, which V8 collects only in a full GC, and that is rare while the old generation
 *   barely grows: measured on the 500 MB bench to disk and the bucket, ~13 MB of spent chunks built up
 *   that way by the end of the upload (their backing stores outside the heap; a full GC freed them at
 *   once), most of the row's 16-25 MiB. V8's `gc` is taken from a new vm context made while
 *   `--expose-gc` is set for that moment only: neither the server's context nor its worker threads
 *   get a `gc`, and the flags the code cache is stamped with stay those of every start.
 * All of them are read by V8 at the moment they apply, so setting them after start (or changing one
 * while the process runs) takes effect.
 */
import { setFlagsFromString } from "node:v8";
import { pipeline, Transform, type Readable } from "node:stream";
import { runInNewContext } from "node:vm";

/** The flags set for the whole process (and so in the flag hash V8 stamps on the code cache). */
export const V8_FLAGS = ["--semi-space-growth-factor=1", "--liftoff-only"] as const;

for (const flag of V8_FLAGS) setFlagsFromString(flag);

/** The bytes an output streams before it turns frequent scavenges on (a 1024² image stays below). */
export const LARGE_STREAM_BYTES = 1024 * 1024;
/** Scavenge task triggers (% of the young generation): while a large stream runs, and V8's default. */
export const STREAMING_TRIGGER = 5;
export const DEFAULT_TRIGGER = 80;
/** The young generation's growth factor: pinned (start-up, few calls, large streams) and V8's default (many calls). */
export const PINNED_GROWTH = 1;
export const DEFAULT_GROWTH = 2;
/**
 * While large streams move data, a full GC this often. Each took 2-43 ms here (median ~24): ~5% of a
 * core and a pause of that length twice a second while a large file streams. At 1 000 ms the bucket
 * row gave 9-16 MiB, at 500 ms 7-10 (7-13 once a GC also waits for FULL_GC_BYTES to move).
 */
export const FULL_GC_INTERVAL_MS = 500;
/** The bytes large streams must move between two full GCs: a stalled reader (a paused video player) starts none. */
export const FULL_GC_BYTES = 8 * 1024 * 1024;
let largeStreams = 0;
/** Whether many tool calls are open (callsOpen): the young generation may then grow while no large stream runs. */
let busy = false;
let moved = 0;
let fullGcTimer: NodeJS.Timeout | undefined;
let gc: (() => void) | undefined;

function fullGc(): void {
  if (moved < FULL_GC_BYTES) return;
  moved = 0;
  if (!gc) {
    setFlagsFromString("--expose-gc");
    try {
      gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    } finally {
      setFlagsFromString("--no-expose-gc");
    }
  }
  gc?.();
}

/**
 * Runs `fn` with V8's default scavenge trigger, as every start has it: V8 stamps the code cache with
 * the flags in force when it is made (src/compile-cache.ts), and the streaming trigger would make a
 * cache written while a large stream runs one the next start refuses.
 */
export function withStartFlags<T>(fn: () => T): T {
  if (currentFlags() === START_FLAGS) return fn();
  setFlagsFromString(START_FLAGS);
  try {
    return fn();
  } finally {
    setFlagsFromString(currentFlags());
  }
}

/** The scavenge trigger and young-generation growth factor as V8 flags. */
const gcFlags = (trigger: number, growth: number) => `--minor-gc-task-trigger=${trigger} --semi-space-growth-factor=${growth}`;

/** What every start has in force: V8's scavenge trigger, the young generation pinned (V8_FLAGS). */
const START_FLAGS = gcFlags(DEFAULT_TRIGGER, PINNED_GROWTH);

/** The scavenge trigger and young-generation growth for now: streaming ones while a large stream runs. */
function currentFlags(): string {
  if (largeStreams > 0) return gcFlags(STREAMING_TRIGGER, PINNED_GROWTH);
  return gcFlags(DEFAULT_TRIGGER, busy ? DEFAULT_GROWTH : PINNED_GROWTH);
}

/** The open tool calls from which the young generation may grow (callsOpen). */
export const BUSY_CALLS = 16;

/**
 * The number of tool calls open now (src/open-calls.ts). From BUSY_CALLS on, and until none is open,
 * the young generation may grow as V8 sees fit while no large stream runs: under many calls at once
 * a larger one scavenges less often and promotes less (see the header). A server starting or
 * answering a few calls keeps it as small as start-up left it, which keeps a stream's dead chunks
 * few (goal 3). One that grew it keeps it until V8 shrinks it (when allocation slows), so a stream
 * there may leave more dead chunks between scavenges: the 5% trigger of a 16 MiB semi-space is
 * ~80 chunks of 64 KiB, ~5 MiB (arithmetic, not measured).
 */
export function callsOpen(open: number): void {
  const next = open >= BUSY_CALLS || (busy && open > 0);
  if (next === busy) return;
  busy = next;
  setFlagsFromString(currentFlags());
}

export interface LargeStream {
  /** A chunk of `bytes` passed. */
  passed: (bytes: number) => void;
  end: () => void;
}

/**
 * `source` as read through a pass-through that tells `large` how many bytes have passed; an error of
 * `source` destroys the returned stream with it, so its reader fails rather than waits.
 */
export function countedBy(large: LargeStream, source: Readable): Readable {
  const counter = counting(large);
  pipeline(source, counter, () => undefined);
  return counter;
}

/**
 * A pass-through for a stream's bytes that tells `large` of each chunk. Several may feed one large
 * stream (the parts of a multipart upload): it adds them up.
 */
export function counting(large: LargeStream): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      large.passed(chunk.length);
      cb(null, chunk);
    },
  });
}

/**
 * One output's stream (its download, save and upload): `passed(bytes)` at each chunk turns frequent
 * scavenges and the periodic full GC on once the chunks add up to more than LARGE_STREAM_BYTES;
 * `end()` (once, in a finally) turns them off when no other large stream runs.
 */
export function largeStream(): LargeStream {
  let large = false;
  let ended = false;
  let total = 0;
  return {
    passed: (bytes) => {
      if (ended) return;
      total += bytes;
      moved += bytes;
      if (large || total <= LARGE_STREAM_BYTES) return;
      large = true;
      if (largeStreams++ > 0) return;
      moved = 0;
      setFlagsFromString(currentFlags());
      fullGcTimer = setInterval(fullGc, FULL_GC_INTERVAL_MS).unref();
    },
    end: () => {
      ended = true;
      if (!large) return;
      large = false;
      if (--largeStreams > 0) return;
      setFlagsFromString(currentFlags());
      clearInterval(fullGcTimer);
    },
  };
}
