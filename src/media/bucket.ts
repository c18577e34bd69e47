/**
 * Outputs in an S3-compatible bucket (AWS S3, Volcengine TOS, Alibaba Cloud OSS, MinIO):
 * streamed up with a multipart upload, handed out as presigned GETs, read back on any replica.
 * The AWS SDK v3 does the protocol (SigV4, the multipart calls, presigning); it is imported only when a
 * bucket is configured, so a server without one does not load it.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AigcError } from "../errors.js";
import { counting, countedBy, largeStream } from "../net/v8-flags.js";
import type { DownloadLink, MediaLinks } from "./signed-url.js";
import { loadPackage } from "../load-package.js";
import { localFaultCode } from "./disk.js";
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
  /** How long connecting may take and an open request may go without a byte, in ms (defaults 10 s and 30 s). */
  timeoutsMs?: { connect: number; idle: number };
}

type S3Module = typeof import("@aws-sdk/client-s3");

/** Multipart parts of 8 MiB (S3 allows at most 10 000 parts: files up to 78 GiB), two in flight. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** What an S3 status means when the answer has no body to say it (HeadBucket's never has: the SDK says "UnknownError"). */
const STATUS_MEANS: Record<number, string> = {
  301: " (the bucket is in another region: set AIGC_MCP_S3_REGION to it)",
  400: " (often a wrong AIGC_MCP_S3_REGION, or an endpoint that needs AIGC_MCP_S3_FORCE_PATH_STYLE=true)",
  403: " (the credentials are not allowed to use this bucket, or belong to another account)",
  404: " (no such bucket at this endpoint: check the name, AIGC_MCP_S3_ENDPOINT, and AIGC_MCP_S3_FORCE_PATH_STYLE)",
};

const CONFIG_HINT =
  "Check AIGC_MCP_S3_BUCKET, AIGC_MCP_S3_ENDPOINT, AIGC_MCP_S3_REGION, AIGC_MCP_S3_FORCE_PATH_STYLE and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY credentials.";

/**
 * What to change for a failed bucket request. A store that is down, overloaded or unreachable is not
 * misconfigured, so it gets "try again", not the list of variables (which sent users to change a
 * working configuration); the variables are named only where the answer points at them.
 */
function hintFor(err: unknown, name: string | undefined, status: number | undefined): string {
  if (localFaultCode(err)) return "Free space on this machine's disk or fix the output folder's permissions, then try again.";
  if (
    status === 403 ||
    /^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|CredentialsProviderError)$/.test(name ?? "")
  )
    return "Check the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) credentials and that they may use AIGC_MCP_S3_BUCKET, then restart the server.";
  if (status === undefined ? unreachable(err, name) : status === 408 || status === 429 || status >= 500)
    return "The object store did not answer, or failed on its side: nothing in the configuration has to change if it worked before. Try again in a minute; if it keeps failing, check that the store at AIGC_MCP_S3_ENDPOINT is up and reachable from this machine.";
  return CONFIG_HINT;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function unreachable(err: unknown, name: string | undefined): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    (typeof code === "string" && NETWORK_CODES.has(code)) ||
    name === "TimeoutError" ||
    /socket hang up/i.test(String((err as Error)?.message))
  );
}

/** How long connecting to the object store may take, and how long an open request may go without a byte. */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;

export class Bucket implements MediaLinks {
  private client?: Promise<{ s3: S3Module; client: import("@aws-sdk/client-s3").S3Client }>;
  private readonly presence = new BucketPresence((name, signal) => this.head(name, signal));

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

  /** Downloads `<prefix>/<name>` to `path` (via a temp file); false when the object does not exist. */
  async download(name: string, path: string): Promise<boolean> {
    const { s3, client } = await this.connect();
    let body: Readable;
    try {
      const res = await client.send(new s3.GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }));
      body = res.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === "NoSuchKey") {
        this.presence.gone(name);
        return false;
      }
      throw this.error(err, `reading ${name}`);
    }
    const tmp = `${path}.${process.pid}.part`;
    const large = largeStream();
    try {
      await pipeline(body, counting(large), createWriteStream(tmp));
      await rename(tmp, path);
      this.presence.saw(name);
      return true;
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw this.error(err, `reading ${name}`);
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

  private async head(name: string, abortSignal: AbortSignal): Promise<boolean> {
    const { s3, client } = await this.connect();
    try {
      await client.send(new s3.HeadObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(name) }), { abortSignal });
      return true;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404) return false;
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
    await client.send(new s3.HeadBucketCommand({ Bucket: this.cfg.bucket })).catch((err: unknown) => {
      throw this.error(err, "checking the bucket");
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
        // A store that accepts the connection and then hangs fails the call instead of holding it (and a
        // file-queue slot) forever; socketTimeout is the socket's idle time, so long transfers that flow are fine.
        requestHandler: {
          connectionTimeout: this.cfg.timeoutsMs?.connect ?? CONNECT_TIMEOUT_MS,
          socketTimeout: this.cfg.timeoutsMs?.idle ?? IDLE_TIMEOUT_MS,
        },
      }),
    }));
    return this.client;
  }

  private error(err: unknown, doing: string): AigcError {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    const status = e.$metadata?.httpStatusCode;
    return new AigcError(
      {
        category: "local",
        code: e.name && e.name !== "Error" && /^[A-Za-z]+$/.test(e.name) ? e.name : "StorageError",
        message: `object storage: ${doing} in bucket ${this.cfg.bucket} failed${status ? ` (HTTP ${status})` : ""}: ${e.message ?? String(err)}${STATUS_MEANS[status ?? 0] ?? ""}`,
        ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
        hint: hintFor(err, e.name, status),
      },
      { cause: err },
    );
  }
}
