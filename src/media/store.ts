/**
 * The output folder: every generated file lands here, streamed to disk (never a second in-memory
 * copy), hashed on the way, checked for type and size, then exposed as `media://files/<name>`.
 */
import { createHash, randomBytes } from "node:crypto";
import { open, realpath, rename, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { AigcError, isAbortError } from "../errors.js";
import { fetchPolicy as makeFetchPolicy, openChecked, type FetchPolicy } from "../net/fetch-policy.js";
import { discard, safeUrl } from "../net/http.js";
import { largeStream } from "../net/v8-flags.js";
import type { Asset } from "../jobs/types.js";
import type { GeneratedMedia } from "../jobs/store.js";
import { clip, log } from "../log.js";
import type { Bucket, ReadOptions } from "./bucket.js";
import { localDiskError, inFolder, probeWritable, regularFile, removeStaleFiles } from "./disk.js";
import { FreshBytes } from "./fresh-bytes.js";
import { notMedia, refusal, tooLarge } from "./save-errors.js";
import { BoundedQueue } from "./queue.js";
import { probeFile, sniffBytes, type MediaKind } from "./sniff.js";
import { MEDIA_URI_PREFIX, mediaElsewhere, mediaNotFound, outputName } from "./media-uri.js";
import { makeDirs } from "../make-dirs.js";

const HEAD_BYTES = 64 * 1024;

/** Where files read back from the bucket are kept for an hour (under the output folder). */
const CACHE_DIR = ".aigc-mcp/cache";

export interface SaveOptions {
  /** File name without extension; the extension comes from the sniffed type. */
  stem: string;
  /** The kind asked for: bytes of no media type are refused, media of another kind saved (billed) and logged. */
  expect: MediaKind;
  vendor: string;
  signal?: AbortSignal;
  url?: string;
  expiresAt?: string;
  role?: string;
}

export class MediaStore {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly timeoutMs = 180_000,
    /** Every URL this store downloads goes through it; the default allows public addresses only. */
    readonly fetchPolicy: FetchPolicy = makeFetchPolicy([]),
  ) {}

  async init(): Promise<void> {
    await makeDirs(this.dir).catch((err: unknown) => {
      throw localDiskError(err, this.dir) ?? err;
    });
  }

  private lastWritable = 0;
  private probing: Promise<void> | undefined;

  /**
   * Throws a `local` error naming the folder unless a file can be written in it now: checked at
   * start-up and before every billed call, so nothing is paid for that cannot be saved. A success
   * is trusted for a second, and concurrent checks share one probe (a burst costs one file).
   */
  async checkWritable(): Promise<void> {
    if (Date.now() - this.lastWritable < 1000) return;
    this.probing ??= this.queue
      .run(() => probeWritable(this.dir))
      .then(() => void (this.lastWritable = Date.now()))
      .finally(() => (this.probing = undefined));
    await this.probing;
  }

  /**
   * Removes temp files of downloads that a crashed process left behind, and copies read back from
   * the bucket, older than an hour.
   */
  async sweepPartials(maxAgeMs = 3600_000): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    const partials = await removeStaleFiles(this.dir, cutoff, (n) => n.startsWith(".") && n.endsWith(".part"));
    return partials + (await removeStaleFiles(join(this.dir, CACHE_DIR), cutoff));
  }

  /** Whether `path` names a file directly in this server's output folder, however either is spelled (a record's path may be another server's). */
  async savedHere(path: string): Promise<boolean> {
    if (dirname(resolve(path)) === resolve(this.dir)) return true;
    const [a, b] = await Promise.all([realpath(dirname(path)), realpath(this.dir)].map((p) => p.catch(() => undefined)));
    return a !== undefined && a === b;
  }

  uriFor(name: string): string {
    return MEDIA_URI_PREFIX + encodeURIComponent(name);
  }

  /** Downloads and open files at once (AIGC_MCP_MAX_OPEN_FILES); a burst waits here for a slot. */
  queue = new BoundedQueue(16);
  /** A file this server generated, as its job store's record lists it; none until set: the folder may hold anything (even `~`). */
  generated: (name: string) => Promise<GeneratedMedia | undefined> = () => Promise.resolve(undefined);

  /** Whether the job store is shared with other servers (Redis), whose records may name files in their own folders. */
  sharedRecords = false;
  /** The bucket outputs are copied to (AIGC_MCP_S3_BUCKET), and whether the local file stays after upload. */
  bucket?: Bucket;
  keepLocal = true;
  /** Told the name of each output whose upload to the bucket failed (jobs/late-uploads.ts tries it again later). */
  uploadFailed: (name: string) => void = () => undefined;
  /** Bytes of outputs just saved, held for the answer that embeds them (none by default). */
  fresh = new FreshBytes(0);

  /**
   * A generated file's (`media://files/<name>` or name) absolute path and generated size (bytes, when
   * recorded); a local file of another size is not the output, so the bucket's copy is read back. Any
   * other name (unknown, missing, changed, escaping the folder, a symlink) gets the same "not found".
   */
  async resolve(uriOrName: string, opts: ReadOptions = {}): Promise<{ path: string; bytes?: number }> {
    const notFound = mediaNotFound(uriOrName);
    const name = outputName(uriOrName);
    const saved = name && (await this.generated(name));
    const root = saved && (await realpath(this.dir).catch(() => undefined));
    if (!name || !root) throw notFound;
    const bytes = saved.bytes;
    const local = await regularFile(join(root, name), bytes);
    if (local) return { path: local, bytes };
    // Not here (another replica's, AIGC_MCP_KEEP_LOCAL=false) or edited: the bucket's copy, unless it never reached one.
    if (!this.bucket && saved.storage === "s3") throw mediaElsewhere(name);
    if (!this.bucket || saved.storage === "local") throw notFound;
    const cached = join(root, CACHE_DIR, name);
    if (await regularFile(cached, bytes)) return { path: cached, bytes };
    await makeDirs(join(root, CACHE_DIR));
    if (!(await this.bucket.download(name, cached, opts))) throw notFound;
    return { path: cached, bytes };
  }

  /** The job store's most recently saved outputs, newest first (unordered by default). */
  recent: (limit: number) => Promise<GeneratedMedia[]> = () => Promise.resolve([]);

  /** Downloads a vendor URL to the folder. Safe to retry: the file is written under a temp name and renamed. */
  async saveFromUrl(url: string, opts: SaveOptions): Promise<Asset> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.queue.run(() => this.download(url, opts), opts.signal);
      } catch (caught) {
        const err = refusal(caught, url, opts.vendor);
        const retry = err instanceof AigcError && (err.category === "network" || err.category === "timeout") && attempt < 3;
        if (!retry) throw err;
        await sleep(500 * 2 ** (attempt - 1), undefined, { signal: opts.signal }).catch(() => undefined);
        if (opts.signal?.aborted) throw err;
      }
    }
  }

  /** One download attempt, holding one slot of the queue (its socket and its file). */
  private async download(url: string, opts: SaveOptions): Promise<Asset> {
    const res = await openChecked(url, this.fetchPolicy, {
      vendor: opts.vendor,
      signal: opts.signal,
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxBytes,
      tooLarge: (declared, max) => tooLarge(opts.vendor, declared, max),
    });
    if (res.status !== 200) {
      discard(res.body);
      const gone = res.status === 403 || res.status === 404 || res.status === 410;
      throw new AigcError({
        category: gone ? "not_found" : res.status >= 500 || res.status === 429 ? "network" : "bad_response",
        code: gone ? "MediaUrlExpired" : "DownloadFailed",
        vendor: opts.vendor,
        httpStatus: res.status,
        message: gone
          ? `the output URL ${safeUrl(url)} answered HTTP ${res.status}: it has expired or was deleted`
          : `downloading ${safeUrl(url)} failed with HTTP ${res.status}`,
        hint: gone ? "Vendor output URLs expire (Ark and Jimeng images: 24 h, Jimeng video: 1 h); generate again." : undefined,
      });
    }
    return await this.writeStream(res.body, { ...opts, url });
  }

  async saveBuffer(data: Buffer, opts: SaveOptions): Promise<Asset> {
    if (data.length > this.maxBytes) throw tooLarge(opts.vendor, data.length, this.maxBytes);
    return this.saveStream(Readable.from([data]), opts);
  }

  /** Streams a body to `<stem>.<ext>` once the queue has a free slot. */
  saveStream(body: Readable, opts: SaveOptions): Promise<Asset> {
    return this.queue.run(() => this.writeStream(body, opts), opts.signal);
  }

  /**
   * Copies a saved output to the bucket, when one is configured. A failed upload never loses the
   * output: the local file stays, is served from here, the failure is logged, and jobs/late-uploads.ts tries again.
   */
  private async offload(path: string, name: string, mime: string, opts: SaveOptions): Promise<Pick<Asset, "storage" | "storage_error">> {
    if (!this.bucket) return {};
    try {
      await this.bucket.upload(path, name, mime, opts.signal);
    } catch (err) {
      log.warn("object storage upload failed; the file stays in the output folder", { file: name, error: String(err) });
      this.uploadFailed(name);
      return { storage_error: clip(err instanceof Error ? err.message : String(err), 300) };
    }
    if (!this.keepLocal) await unlink(path).catch(() => undefined);
    return { storage: "s3" };
  }

  /** Streams a body to `<stem>.<ext>`, hashing, capping and sniffing on the way. */
  private async writeStream(body: Readable, opts: SaveOptions): Promise<Asset> {
    const tmp = join(this.dir, `.${opts.stem}.${randomBytes(4).toString("hex")}.part`);
    const file = await inFolder(this.dir, () => open(tmp, "w")).catch((err: unknown) => {
      discard(body);
      throw localDiskError(err, this.dir, opts.vendor) ?? err;
    });
    const hash = createHash("sha256");
    let bytes = 0;
    let head = Buffer.alloc(0);
    const max = this.maxBytes;
    const large = largeStream(); // frequent scavenges while a large output streams (net/v8-flags.ts)
    const kept = this.fresh.collector();
    const meter = new Transform({
      destroy: (err, cb) => (large.end(), cb(err)),
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        large.passed(chunk.length);
        if (bytes > max) return cb(tooLarge(opts.vendor, bytes, max));
        if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        hash.update(chunk);
        kept.add(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, file.createWriteStream(), { signal: opts.signal });
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (err instanceof AigcError) throw err;
      const local = localDiskError(err, this.dir, opts.vendor);
      if (local) throw local;
      if (isAbortError(err) || opts.signal?.aborted) {
        throw new AigcError({ category: "cancelled", code: "Cancelled", vendor: opts.vendor, message: "the download was cancelled" });
      }
      throw new AigcError(
        {
          category: "network",
          code: "DownloadFailed",
          vendor: opts.vendor,
          message: `the media download broke off after ${bytes} bytes: ${(err as Error).message}`,
        },
        { cause: err },
      );
    }
    const sniffed = await sniffBytes(head);
    if (!sniffed) {
      await unlink(tmp).catch(() => undefined);
      throw notMedia(head, bytes, opts.expect, opts.vendor);
    }
    const name = `${opts.stem}.${sniffed.ext}`;
    if (sniffed.kind !== opts.expect)
      log.warn(`${opts.vendor} sent ${sniffed.mime} where ${opts.expect} was expected; saved`, { file: name });
    const path = join(this.dir, name);
    await rename(tmp, path).catch(async (err: unknown) => {
      await unlink(tmp).catch(() => undefined);
      throw localDiskError(err, this.dir, opts.vendor) ?? err;
    });
    const probed = sniffed.kind === "image" ? sniffed : ((await probeFile(path)) ?? sniffed); // an image's head says it all
    const stored = await this.offload(path, name, sniffed.mime, opts);
    const sha256 = hash.digest("hex");
    kept.hold(this.uriFor(name), sha256);
    return {
      uri: this.uriFor(name),
      mime_type: sniffed.mime,
      bytes,
      sha256,
      ...(stored.storage && !this.keepLocal ? {} : { path }),
      ...stored,
      ...(opts.url ? { url: opts.url } : {}),
      ...(opts.expiresAt ? { expires_at: opts.expiresAt } : {}),
      ...(probed.width ? { width: probed.width, height: probed.height } : {}),
      ...(probed.duration_s ? { duration_s: Math.round(probed.duration_s * 1000) / 1000 } : {}),
      ...(opts.role ? { role: opts.role } : {}),
    };
  }
}
