/**
 * A real S3 REST server for tests: s3rver (objects on disk, multipart, presigned GETs) behind a
 * proxy that checks every request's AWS Signature V4 — header or query form, expiry included —
 * as AWS does, since s3rver itself does not check V4 signatures. Written from the SigV4
 * specification, independently of the production code (which signs with the AWS SDK).
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { tempDir } from "./harness.js";

export interface TestS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Requests the proxy refused, and what it forwarded (method + path, no query). */
  refused: string[];
  forwarded: string[];
  /** The env a server needs to use this bucket. */
  env: Record<string, string>;
  /** Deletes an object behind the server's back (as a lifecycle rule or a person would). */
  deleteObject(key: string): Promise<void>;
  close(): Promise<void>;
}

const ACCESS_KEY = "S3RVER";
// Unlike the access key id, the secret is scrubbed from every output, so it must not equal it.
const SECRET_KEY = "test-s3-secret-key-0123456789";

export async function startS3(bucket = "aigc-test", region = "cn-beijing"): Promise<TestS3> {
  const s3rver = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: tempDir("aigc-s3-"),
    configureBuckets: [{ name: bucket }],
  });
  const { port: backendPort } = await s3rver.run();
  const refused: string[] = [];
  const forwarded: string[] = [];
  const proxy: Server = createServer((req, res) => {
    const why = verify(req, region);
    const path = (req.url ?? "/").split("?")[0]!;
    if (why) {
      refused.push(`${req.method} ${path}: ${why}`);
      req.resume();
      res.writeHead(403, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>${why}</Message></Error>`);
      return;
    }
    forwarded.push(`${req.method} ${path}${subresources(req.url)}`);
    const upstream = request({ host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    endpoint,
    bucket,
    region,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    refused,
    forwarded,
    env: {
      AIGC_MCP_S3_BUCKET: bucket,
      AIGC_MCP_S3_ENDPOINT: endpoint,
      AIGC_MCP_S3_REGION: region,
      AIGC_MCP_S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    },
    async deleteObject(key: string) {
      const client = new S3Client({
        endpoint,
        region,
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      });
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } finally {
        client.destroy();
      }
    },
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await s3rver.close();
    },
  };
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** Why a request's SigV4 signature is not valid for our key, or undefined when it is. */
function verify(req: IncomingMessage, region: string): string | undefined {
  const url = new URL(req.url ?? "/", "http://x");
  const q = url.searchParams;
  let credential: string, signedHeaders: string, signature: string, amzDate: string, payloadHash: string;
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return "not a SigV4 Authorization header";
    [credential, signedHeaders, signature] = [m[1]!, m[2]!, m[3]!];
    amzDate = String(req.headers["x-amz-date"] ?? "");
    payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (!payloadHash) return "no x-amz-content-sha256";
  } else if (q.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256") {
    credential = q.get("X-Amz-Credential") ?? "";
    signedHeaders = q.get("X-Amz-SignedHeaders") ?? "";
    signature = q.get("X-Amz-Signature") ?? "";
    amzDate = q.get("X-Amz-Date") ?? "";
    payloadHash = "UNSIGNED-PAYLOAD";
    const expires = Number(q.get("X-Amz-Expires"));
    const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
    if (!(expires > 0 && expires <= 604800)) return "bad X-Amz-Expires";
    if (Date.now() > signedAt + expires * 1000) return "Request has expired";
  } else return "unsigned request";
  const [keyId, date, credRegion, service, term] = credential.split("/");
  if (keyId !== ACCESS_KEY) return `unknown access key ${credential}`;
  if (credRegion !== region || service !== "s3" || term !== "aws4_request") return `wrong scope ${credential}`;
  const headerNames = signedHeaders.split(";");
  if (!headerNames.includes("host")) return "host is not signed";
  const canonicalHeaders = headerNames
    .map((h) => {
      const v = req.headers[h];
      return `${h}:${(Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== "X-Amz-Signature")
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [req.method, url.pathname, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET_KEY}`, date!), region), "s3"), "aws4_request");
  return hmac(key, toSign).toString("hex") === signature ? undefined : "signature does not match";
}

/** The query keys that name an S3 operation (`?uploads`, `?partNumber&uploadId`), without signing and SDK keys. */
function subresources(u: string | undefined): string {
  const keys = [...new URL(u ?? "/", "http://x").searchParams.keys()].filter((k) => !k.startsWith("X-Amz-") && k !== "x-id");
  return keys.length ? `?${keys.join("&")}` : "";
}
