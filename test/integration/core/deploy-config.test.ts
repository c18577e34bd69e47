/**
 * The deployment files (Dockerfile, .dockerignore, docker-compose.yml, deploy/) checked offline:
 * images cannot be pulled here, so `docker compose up` cannot run. What can go wrong without a
 * container is checked: a variable the server does not read (a typo is silently ignored), replicas
 * that do not share their state, a proxy that loses sessions or retries a billed call, secrets in
 * the example env file. test/e2e/replicas.test.ts runs the built server with a replica's env.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CORE_ENV, parseCoreConfig } from "../../../src/config.js";
import { PLUGINS } from "../../../src/plugins.js";
import { loadCompose, readEnvFile, replicas, ROOT, serviceEnv } from "../../helpers/compose.js";

/**
 * Declared by the store branch (issue 13 items 3-4: AIGC_MCP_REDIS_URL shared job state). Until it
 * merges they are the only names the compose file may set that the server does not declare yet;
 * once CORE_ENV has them this list changes nothing.
 */
const KNOWN = new Set([...CORE_ENV, ...PLUGINS.flatMap((p) => p.env)].map((v) => v.name));

const compose = loadCompose();
const example = readEnvFile();
const replicaList = replicas(compose);
const replicaEnvs = replicaList.map(([, s]) => serviceEnv(s));

describe("docker-compose.yml", () => {
  it("runs two replicas of this repository's image", () => {
    expect(replicaList.map(([name]) => name)).toEqual(["aigc-mcp-1", "aigc-mcp-2"]);
    for (const [, s] of replicaList) expect(s.build).toBe(".");
  });

  it("sets only variables the server reads (every AIGC_MCP_*, AWS_* and vendor name is declared)", () => {
    for (const env of replicaEnvs) {
      const unknown = Object.keys(env).filter((k) => !KNOWN.has(k));
      expect(unknown).toEqual([]);
    }
  });

  it("gives the replicas one token, public URL, signing key, bucket and Redis, and each its own output folder", () => {
    const shared = [
      "AIGC_MCP_AUTH_TOKEN",
      "AIGC_MCP_ALLOWED_HOSTS",
      "AIGC_MCP_PUBLIC_URL",
      "AIGC_MCP_MEDIA_URL_SECRET",
      "AIGC_MCP_S3_BUCKET",
      "AIGC_MCP_S3_ENDPOINT",
      "AIGC_MCP_S3_REGION",
      "AIGC_MCP_S3_FORCE_PATH_STYLE",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AIGC_MCP_REDIS_URL",
      "AIGC_MCP_REDIS_PREFIX",
    ];
    const [a, b] = replicaEnvs;
    for (const name of shared) {
      expect(a![name], name).toBeDefined();
      expect(b![name], name).toBe(a![name]);
    }
    expect(a!.AIGC_MCP_PUBLIC_URL).toBe(example.AIGC_MCP_PUBLIC_URL);
    expect(a!.AIGC_MCP_REDIS_URL).toMatch(/^redis:\/\/:[^@]+@redis:6379\/\d+$/);
    expect(compose.services.redis).toBeDefined();
    // The bucket endpoint is the name clients reach MinIO by, and inside the network an alias of it.
    const endpoint = new URL(a!.AIGC_MCP_S3_ENDPOINT!);
    expect(compose.services.minio?.networks?.default?.aliases).toContain(endpoint.hostname);
    expect(compose.services.minio?.ports).toContain(`${endpoint.port}:${endpoint.port}`);
    const dataVolumes = replicaList.map(([, s]) => s.volumes?.find((v) => v.endsWith(`:${a!.AIGC_MCP_OUTPUT_DIR}`)));
    expect(dataVolumes.every(Boolean)).toBe(true);
    expect(new Set(dataVolumes).size).toBe(2);
  });

  it("is a valid server configuration: HTTP on all interfaces with a token, download URLs, the bucket", () => {
    for (const env of replicaEnvs) {
      const cfg = parseCoreConfig(env);
      expect(cfg.transport).toBe("http");
      expect(cfg.host).toBe("0.0.0.0");
      expect(cfg.authToken).toBe(example.AIGC_MCP_AUTH_TOKEN);
      expect(cfg.publicMedia?.url).toBe(example.AIGC_MCP_PUBLIC_URL);
      expect(cfg.allowedHosts).toContain(new URL(example.AIGC_MCP_PUBLIC_URL!).host);
      expect(cfg.storage).toMatchObject({ bucket: example.AIGC_MCP_S3_BUCKET, forcePathStyle: true, keepLocal: false });
      expect(cfg.storage?.credentials?.accessKeyId).toBe(example.AWS_ACCESS_KEY_ID);
    }
  });

  it("starts the replicas after Redis is healthy and the bucket exists", () => {
    for (const [, s] of replicaList) {
      expect(s.depends_on).toMatchObject({
        redis: { condition: "service_healthy" },
        "minio-init": { condition: "service_completed_successfully" },
      });
    }
    expect(compose.services["minio-init"]?.depends_on).toMatchObject({ minio: { condition: "service_healthy" } });
    expect(compose.services.redis?.healthcheck).toBeDefined();
    expect(compose.services.minio?.healthcheck).toBeDefined();
  });

  it("reads every variable it interpolates from deploy/.env.example, which holds placeholders only", () => {
    expect([...compose.used].filter((v) => !(v in example))).toEqual([]);
    const secrets = Object.keys(example).filter(
      (k) => /TOKEN|SECRET|PASSWORD|_KEY$|ACCESSKEY|SECRETKEY/.test(k) && k !== "AWS_ACCESS_KEY_ID",
    );
    expect(secrets.length).toBeGreaterThan(5);
    for (const k of secrets) expect(example[k], k).toMatch(/^(|replace-with-[a-z0-9-]+)$/);
    // The file is committed; deploy/.env, with the real values, is ignored by git.
    expect(readFileSync(`${ROOT}.gitignore`, "utf8")).toMatch(/^\.env$/m);
  });

  it("publishes only the proxy's HTTP port and MinIO's S3 port (the replicas and Redis stay inside)", () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports?.length)
      .map(([name]) => name);
    expect(published.sort()).toEqual(["minio", "proxy"]);
    expect(compose.services.proxy?.volumes).toContain("./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro");
  });
});

/** nginx's configuration as nested blocks: each directive has its arguments and, for blocks, children. */
interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

function parseNginx(text: string): Directive[] {
  const tokens = [...text.replace(/#[^\n]*/g, "").matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([{};])|([^\s{};"']+)/g)].map((m) => ({
    value: m[1] ?? m[2] ?? m[3] ?? m[4]!,
    punct: m[3] !== undefined,
  }));
  let i = 0;
  function block(): Directive[] {
    const out: Directive[] = [];
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t.punct && t.value === "}") return out;
      const d: Directive = { name: t.value, args: [] };
      while (i < tokens.length && !tokens[i]!.punct) d.args.push(tokens[i++]!.value);
      const end = tokens[i++]!;
      if (end.value === "{") d.block = block();
      out.push(d);
    }
    return out;
  }
  return block();
}

const nginx = parseNginx(readFileSync(`${ROOT}deploy/nginx.conf`, "utf8"));
const upstreams = new Map(nginx.filter((d) => d.name === "upstream").map((d) => [d.args[0]!, d.block!]));
const server = nginx.find((d) => d.name === "server")!.block!;
const location = (...args: string[]) => server.find((d) => d.name === "location" && d.args.join(" ") === args.join(" "))?.block;
const values = (block: Directive[] | undefined, name: string) => (block ?? []).filter((d) => d.name === name).map((d) => d.args);
/** The upstream a location proxies to, and its servers as host:port. */
function upstreamOf(loc: Directive[] | undefined) {
  const target = values(loc, "proxy_pass")[0]?.[0] ?? "";
  const name = /^http:\/\/([^/:]+)$/.exec(target)?.[1] ?? "";
  const up = upstreams.get(name);
  return { up, servers: values(up, "server").map((a) => a[0]) };
}

describe("deploy/nginx.conf", () => {
  const replicaAddrs = replicaList.map(([name], i) => `${name}:${replicaEnvs[i]!.AIGC_MCP_PORT}`);

  it("sends /mcp to the replicas with affinity: a client's requests reach the replica holding its session", () => {
    const mcp = location("=", "/mcp");
    const { up, servers } = upstreamOf(mcp);
    expect(servers).toEqual(replicaAddrs);
    // A consistent hash on something every request of a client carries, its initialize included
    // (the session id is not: the initialize has none, and its hash names an arbitrary replica).
    const hash = values(up, "hash")[0];
    expect(hash?.[1]).toBe("consistent");
    expect(hash?.[0]).not.toMatch(/session/i);
    // A request of a session goes to the session location; the rest stay here.
    const branch = mcp?.find((d) => d.name === "if");
    expect(branch?.args).toEqual(["($http_mcp_session_id)"]);
    expect(values(branch?.block, "rewrite")).toEqual([["^", "/_mcp_session", "last"]]);
    // SSE answers (progress, keep-alives) stream through unbuffered, longer than the longest wait.
    expect(values(server, "proxy_buffering")).toEqual([["off"]]);
    const readTimeout = Number(/^(\d+)s$/.exec(values(server, "proxy_read_timeout")[0]?.[0] ?? "")?.[1]);
    expect(readTimeout).toBeGreaterThan(Number(CORE_ENV.find((v) => v.name === "AIGC_MCP_MAX_WAIT_S")!.default));
  });

  it("never passes a sessionless MCP request on once it was sent (it may have run a billed call)", () => {
    const next = values(location("=", "/mcp"), "proxy_next_upstream")[0] ?? [];
    expect(next).not.toContain("non_idempotent");
  });

  it("passes a session's request on after a 404 or a failed replica (only the holder runs it), to every replica", () => {
    const loc = location("=", "/_mcp_session");
    expect(values(loc, "internal")).toEqual([[]]);
    expect(values(loc, "proxy_pass")).toEqual([["http://aigc_mcp_sessions/mcp"]]);
    const next = values(loc, "proxy_next_upstream")[0] ?? [];
    expect(next).toEqual(expect.arrayContaining(["http_404", "non_idempotent", "error"]));
    expect(values(loc, "proxy_next_upstream_tries")).toEqual([["0"]]);
    // When the last replica tried failed (the holder died; the others said 404), the client still gets the 404.
    expect(values(loc, "error_page")).toEqual([["502", "=", "@mcp_session_gone"]]);
    const gone = location("@mcp_session_gone");
    expect(values(gone, "return")[0]?.[0]).toBe("404");
    expect(JSON.parse(values(gone, "return")[0]?.[1] ?? "")).toMatchObject({ error: { code: -32001 } });
  });

  it("sends /media/, /callbacks/ and /healthz to any replica, and passes the Host the client sent", () => {
    for (const loc of [location("/media/"), location("/callbacks/"), location("=", "/healthz")]) {
      const { up, servers } = upstreamOf(loc);
      expect(servers).toEqual(replicaAddrs);
      expect(values(up, "hash")).toEqual([]);
    }
    expect(values(server, "proxy_set_header")).toContainEqual(["Host", "$http_host"]);
  });

  it("logs paths without query strings, so no signed URL lands in the access log", () => {
    const format =
      nginx
        .find((d) => d.name === "log_format" && d.args[0] === "aigc_mcp")
        ?.args.slice(1)
        .join(" ") ?? "";
    expect(format).not.toMatch(/\$(request|request_uri|uri|args|query_string|arg_\w+|http_\w+)\b/);
    const path = nginx.find((d) => d.name === "map" && d.args[1] === "$aigc_mcp_path");
    expect(path?.args[0]).toBe("$request_uri");
    expect(path?.block).toEqual([{ name: "~^(?<path>[^?]*)", args: ["$path"] }]);
    expect(format).toContain("$aigc_mcp_path");
    expect(values(server, "access_log")).toEqual([["/var/log/nginx/access.log", "aigc_mcp"]]);
  });

  it("accepts bodies up to the server's own limit, so the server's 413 names the variable", () => {
    const size = /^(\d+)m$/.exec(values(server, "client_max_body_size")[0]?.[0] ?? "")?.[1];
    const serverMax = Number(CORE_ENV.find((v) => v.name === "AIGC_MCP_MAX_BODY_BYTES")!.default);
    expect(Number(size) * 1024 * 1024).toBeGreaterThan(serverMax);
  });
});

describe("Dockerfile and .dockerignore", () => {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8").replace(/\\\n/g, " ");
  const lines = dockerfile.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  const stages = lines.filter((l) => l.startsWith("FROM "));
  const runtime = lines.slice(lines.indexOf(stages.at(-1)!));

  it("builds in one stage with dev dependencies and runs dist/ with production ones on a supported Node LTS, slim", () => {
    expect(stages).toHaveLength(2);
    // Node 20 reached its end of life in April 2026; the AWS SDK's 2027 releases need Node 22.
    for (const s of stages) expect(s).toMatch(/^FROM node:(22|24)[\w.-]*-slim /);
    expect(lines.some((l) => /RUN npm run build/.test(l))).toBe(true);
    expect(runtime.some((l) => /RUN npm ci --omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /COPY --from=build \/app\/dist/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY (src|\.)\b/.test(l))).toBe(false);
  });

  it("runs as a non-root user, on all interfaces over HTTP, with a health check on /healthz", () => {
    const user = runtime.filter((l) => l.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    expect(runtime.join("\n")).toMatch(/AIGC_MCP_HOST=0\.0\.0\.0/);
    expect(runtime.find((l) => l.startsWith("CMD "))).toMatch(/"--http"/);
    expect(runtime.find((l) => l.startsWith("HEALTHCHECK "))).toMatch(/\/healthz/);
    // The token is not baked in: the server refuses 0.0.0.0 without one, so it must come from the env.
    expect(lines.join("\n")).not.toMatch(/AIGC_MCP_AUTH_TOKEN/);
  });

  it("keeps node_modules, outputs, .git and secrets out of the build context", () => {
    const ignored = readFileSync(`${ROOT}.dockerignore`, "utf8").split("\n");
    for (const p of ["node_modules", "dist", ".git", ".env", ".env.*", "aigc-output", "demo-output", "*.pem", ".npmrc"])
      expect(ignored, p).toContain(p);
  });
});
