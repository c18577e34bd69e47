/**
 * Outputs in an S3-compatible bucket (AWS S3, Volcengine TOS, Alibaba Cloud OSS, MinIO):
 * streamed up with a multipart upload, handed out as presigned GETs, read back on any replica.
 * The AWS SDK v3 does the protocol (SigV4, the multipart calls, presigning); it is imported only when a
 * bucket is configured, so a server without one does not load it.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AigcError } from "../errors.js";
import { counting, countedBy, largeStream } from "../net/v8-flags.js";
import type { DownloadLink, MediaLinks } from "./signed-url.js";
import { loadPackage } from "../load-package.js";
import { bucketError, isTimeout, sdkLogger } from "./bucket-errors.js";
import { BucketPresence } from "./presence.js";

export interface BucketConfig {
  bucket: string;
  /** Custom endpoint (TOS, OSS, MinIO); undefined = AWS. */
  endpoint?: string;
  region: string;
  /** Key prefix, without a trailing slash ("" for none). */
  prefix: string;
  forcePathStyle: boolean;
  /** Presigned URL lifetime in seconds (SigV4 allows at most 7 days). */
  ttlS: number;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * How long connecting may take, an open request may go without a byte, a read may wait for the store's
   * answer at each try, and the start-up check may take in all, in ms (defaults 10, 30, 6 and 20 s).
   */
  timeoutsMs?: { connect: number; idle: number; answer?: number; check?: number };
}

type S3Module = typeof import("@aws-sdk/client-s3");

/** Multipart parts of 8 MiB (S3 allows at most 10 000 parts: files up to 78 GiB), two in flight. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** How long connecting to the object store may take, and how long an open request may go without a byte. */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;
/**
 * How long a read waits for the store's answer (its headers) before the SDK tries again (3 tries): a store
 * that hangs fails a read in ~20 s, within a client's 60 s request timeout, instead of 3 × the idle time
 * (~90 s). The body then flows with the idle time alone, so large files are not cut off. Uploads have no
 * such limit: the time to an upload's answer includes sending its body.
 */
const ANSWER_MS = 6_000;
/** The start-up check's whole time, the SDK's retries included (each of up to 3 attempts has the timeouts above). */
const CHECK_MS = 20_000;
/** After a request the store did not answer, how long reads that can do without it (failFast) do not ask it. */
const UNANSWERED_MS = 30_000;

export interface ReadOptions {
  signal?: AbortSignal;
  /** Fail at once while the store has not answered a request in the last 30 s (an embed that can be a link instead). */
  failFast?: boolean;
}

export class Bucket implements MediaLinks {
  private client?: Promise<{ s3: S3Module; client: import("@aws-sdk/client-s3").S3Client }>;
  private readonly presence = new BucketPresence((name, signal) => this.head(name, signal));
  private unansweredUntil = 0;
  private readonly downloads = new Map<string, Promise<boolean>>();

  constructor(readonly cfg: BucketConfig) {}

  key(name: string): string {
    return this.cfg.prefix ? `${this.cfg.prefix}/${name}` : name;
  }

  /**
   * Streams a local file into the bucket as `<prefix>/<name>`; throws a `storage` error naming the
   * bucket. A file over one part goes up as a multipart upload whose parts are ranges of the file,
   * each streamed from disk with its length (two at a time): nothing of it is held in memory. The
   * SDK's lib-storage `Upload` copies every part of a stream into a buffer first (partSize ×
   * queueSize, at least 5 MiB each), which raised the server's peak RSS by that much per upload.
   */
  async upload(path: string, name: string, mimeType: string, signal?: AbortSignal): Promise<void> {
    // The output stays in the output folder when this fails: a store that just hung does not hold each new output ~30 s.
    this.failIfUnanswered(`uploading ${name}`);
    const { s3, client } = await this.connect();
    const Bucket = this.cfg.bucket;
    const Key = this.key(name);
    const opts = signal ? { abortSignal: signal } : {};
    const large = largeStream(); // frequent scavenges while a large file streams (net/v8-flags.ts)
    try {
      const { size } = await stat(path);
      if (size <= PART_BYTES) {
        const Body = countedBy(large, createReadStream(path));
        await client.send(new s3.PutObjectCommand({ Bucket, Key, Body, ContentLength: size, ContentType: mimeType }), opts);
        this.presence.saw(name);
        return;
      }
      const { UploadId } = await client.send(new s3.CreateMultipartUploadCommand({ Bucket, Key, ContentType: mimeType }), opts);
      try {
        const count = Math.ceil(size / PART_BYTES);
        const parts: Array<{ ETag?: string; PartNumber: number }> = [];
        let next = 1;
        const worker = async () => {
          for (let n = next++; n <= count; n = next++) {
            const start = (n - 1) * PART_BYTES;
            const end = Math.min(size, start + PART_BYTES);
            const Body = countedBy(large, createReadStream(path, { start, end: end - 1 }));
            const part = new s3.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body, ContentLength: end - start });
            parts[n - 1] = { ETag: (await client.send(part, opts)).ETag, PartNumber: n };
          }
        };
        await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, worker));
        await client.send(new s3.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), opts);
        this.presence.saw(name);
      } catch (err) {
        await client.send(new s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw this.error(err, `uploading ${name}`);
    } finally {
      large.end();
    }
  }

  /**
   * Downloads `<prefix>/<name>` to `path` (via a temp file); false when the object does not exist.
   * Throws the store's error; with `failFast`, at once while the store has just left a request unanswered.
   */
  async download(name: string, path: string, opts: ReadOptions = {}): Promise<boolean> {
    if (opts.failFast) this.failIfUnanswered(`reading ${name}`);
    // Reads of one name at once (the viewer and the model, two /media/ GETs) share one download: a second
    // rename over a file another reader has just checked would make its open see another file.
    let pending = this.downloads.get(path);
    if (!pending) {
      pending = this.fetch(name, path, opts).finally(() => this.downloads.delete(path));
      this.downloads.set(path, pending);
    }
    return pending;
  }

  private async fetch(name: string, path: string, opts: ReadOptions): Promise<boolean> {
    const { s3, client } = await this.connect();
    let body: Readable;
    try {
      const requestTimeout = this.cfg.timeoutsMs?.answer ?? ANSWER_MS;
      const res = await client.send(new s3.GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }), {
        requestTimeout,
        ...(opts.signal ? { abortSignal: opts.signal } : {}),
      });
      body = res.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === "NoSuchKey") {
        this.presence.gone(name);
        return false;
      }
      // A reset connection, which the SDK also names TimeoutError, stays what it is (isTimeout).
      const timeout =
        isTimeout(err) &&
        !opts.signal?.aborted &&
        new StoreTimeout(`no answer within ${this.answerSeconds()} s at each of the SDK's tries`);
      throw this.error(timeout || err, `reading ${name}`, opts.signal);
    }
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.part`;
    const large = largeStream();
    try {
      await pipeline(body, counting(large), createWriteStream(tmp), opts.signal ? { signal: opts.signal } : {});
      await rename(tmp, path);
      this.presence.saw(name);
      return true;
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw this.error(err, `reading ${name}`, opts.signal);
    } finally {
      large.end();
    }
  }

  /**
   * Whether the bucket still holds `name` (a lifecycle rule or a person may have deleted it): false
   * only when the store says it does not; one HEAD per name per 10 minutes, 2 s at most (presence.ts).
   */
  holds(name: string): Promise<boolean> {
    return this.presence.holds(name);
  }

  private async head(name: string, abortSignal: AbortSignal): Promise<boolean | undefined> {
    const { s3, client } = await this.connect();
    try {
      await client.send(new s3.HeadObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }), { abortSignal });
      return true;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return false;
      // AWS answers 403 for a missing object to a key that may not list the bucket: it cannot tell, so the object counts as there.
      if (e.$metadata?.httpStatusCode === 403) return undefined;
      throw err;
    }
  }

  /** A presigned GET for the object, valid `ttlS` seconds, that downloads under its own name. */
  async link(name: string): Promise<DownloadLink> {
    const { s3, client } = await this.connect();
    const { getSignedUrl } = await loadPackage<typeof import("@aws-sdk/s3-request-presigner")>("@aws-sdk/s3-request-presigner");
    const now = Date.now();
    const url = await getSignedUrl(
      client,
      new s3.GetObjectCommand({
        Bucket: this.cfg.bucket,
        Key: this.key(name),
        ResponseContentDisposition: `inline; filename="${name}"`,
      }),
      { expiresIn: this.cfg.ttlS },
    );
    return { url, expiresAt: new Date(now + this.cfg.ttlS * 1000).toISOString() };
  }

  /** A cheap authenticated call (HeadBucket) for start-up and `check`. */
  async check(): Promise<void> {
    const { s3, client } = await this.connect();
    const ms = this.cfg.timeoutsMs?.check ?? CHECK_MS;
    const abortSignal = AbortSignal.timeout(ms);
    await client.send(new s3.HeadBucketCommand({ Bucket: this.cfg.bucket }), { abortSignal }).catch((err: unknown) => {
      const timedOut = abortSignal.aborted && new StoreTimeout(`no answer within ${ms / 1000} s (the SDK's retries included)`);
      throw this.error(timedOut || err, "checking access");
    });
  }

  close(): void {
    void this.client?.then(({ client }) => client.destroy());
  }

  private connect() {
    this.client ??= loadPackage<S3Module>("@aws-sdk/client-s3").then((s3) => ({
      s3,
      // Credentials: the AWS_* variables read at launch, else the SDK's standard chain (profiles, instance roles).
      client: new s3.S3Client({
        ...(this.cfg.credentials ? { credentials: this.cfg.credentials } : {}),
        region: this.cfg.region,
        forcePathStyle: this.cfg.forcePathStyle,
        ...(this.cfg.endpoint ? { endpoint: this.cfg.endpoint } : {}),
        // Checksums only where the service requires them: TOS, OSS and older MinIO reject the newer default trailers.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        logger: sdkLogger,
        // A store that accepts the connection and then hangs fails the call instead of holding it (and a
        // file-queue slot) forever; socketTimeout is the socket's idle time, so long transfers that flow are fine.
        requestHandler: {
          connectionTimeout: this.cfg.timeoutsMs?.connect ?? CONNECT_TIMEOUT_MS,
          socketTimeout: this.cfg.timeoutsMs?.idle ?? IDLE_TIMEOUT_MS,
          // Makes a request's own requestTimeout (reads pass one: ANSWER_MS) an error the SDK retries, not a warning.
          throwOnRequestTimeout: true,
        },
      }),
    }));
    return this.client;
  }

  /** The shorter of a read's answer time and the idle time, in seconds: whichever ends an unanswered try. */
  private answerSeconds(): number {
    const t = this.cfg.timeoutsMs;
    return Math.min(t?.answer ?? ANSWER_MS, t?.idle ?? IDLE_TIMEOUT_MS) / 1000;
  }

  /** Milliseconds until requests wait for the store again, after one it left unanswered (0: they wait now). */
  quietForMs(): number {
    return Math.max(0, this.unansweredUntil - Date.now());
  }

  /** Throws at once while the store has left a request unanswered in the last 30 s. */
  private failIfUnanswered(doing: string): void {
    if (Date.now() >= this.unansweredUntil) return;
    throw bucketError(new StoreTimeout("the store left a request unanswered in the last 30 s"), this.cfg.bucket, this.cfg.endpoint, doing);
  }

  /**
   * `err` as the bucket's AigcError. `deadline`: the request's time limit, when it had one; its abort is the
   * store's timeout, while an abort by the caller (a cancelled call) says nothing about the store.
   */
  private error(err: unknown, doing: string, deadline?: AbortSignal): AigcError {
    const reason = deadline?.aborted ? (deadline.reason as { name?: string } | undefined) : undefined;
    if (reason?.name === "TimeoutError") err = new StoreTimeout("no answer in the time allowed (the SDK's retries included)");
    // A store that did not answer in time is not asked again for a while by reads that can do without it
    // (failFast), nor sent uploads. Not one that refused or reset the connection: that fails in
    // milliseconds, so asking again costs nothing, and a store just restarted takes the next upload.
    if (isTimeout(err)) this.unansweredUntil = Date.now() + UNANSWERED_MS;
    return bucketError(err, this.cfg.bucket, this.cfg.endpoint, doing);
  }
}

/** The store did not answer in the time allowed (its errors read as a timeout: "try again"). */
class StoreTimeout extends Error {
  override readonly name = "TimeoutError";
}
