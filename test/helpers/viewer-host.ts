/**
 * The viewer's browser test rig: serves a minimal MCP Apps host page (app-host/host.ts, bundled with
 * esbuild) and the viewer HTML on 127.0.0.1, proxies the view's tools/call and resources/read to an
 * SDK Client of the built server, and opens it in headless Chromium with playwright-core.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolRequest, CallToolResult, ReadResourceRequest } from "@modelcontextprotocol/sdk/types.js";
import * as esbuild from "esbuild";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";

/** The default MCP Apps CSP (a host applies it when the resource declares no `ui.csp`). */
export const DEFAULT_APPS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' data:; connect-src 'none'";

export const VIEWER_URI = "ui://aigc-mcp/viewer";

/** The viewer HTML as a host gets it: resources/read of ui://aigc-mcp/viewer, with the MIME type the MCP Apps spec requires. */
export async function viewerHtml(client: Client): Promise<string> {
  const r = await client.readResource({ uri: VIEWER_URI });
  const c = r.contents[0];
  if (!c || !("text" in c) || c.mimeType !== "text/html;profile=mcp-app") throw new Error(`${VIEWER_URI} is not an MCP App HTML text`);
  return c.text;
}

async function hostScript(): Promise<string> {
  const r = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./app-host/host.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  return r.outputFiles[0]!.text;
}

export interface ViewerHost {
  page: Page;
  /** The viewer's frame (for evaluating inside it); use `view` for locators. */
  frame(): Frame;
  view: ReturnType<Page["frameLocator"]>;
  /** Every tools/call the view made, in order. */
  calls(): Promise<Array<{ name: string; arguments?: Record<string, unknown> }>>;
  links(): Promise<string[]>;
  /** Makes the next `n` wait_for_job calls fail in the host with a thrown error. */
  fail(n: number): Promise<void>;
  input(args: Record<string, unknown>): Promise<void>;
  result(r: CallToolResult): Promise<void>;
  cancelled(reason: string): Promise<void>;
  teardown(): Promise<void>;
  close(): Promise<void>;
}

/** Calls `window.host[name](arg)` in the host page (app-host/host.ts). */
function hostCall<T>(page: Page, name: string, arg?: unknown): Promise<T> {
  return page.evaluate(([n, a]) => (globalThis as unknown as { host: Record<string, (x: unknown) => unknown> }).host[n]!(a), [
    name,
    arg,
  ] as const) as Promise<T>;
}

/** One browser for a test file; each `open` is a fresh host page with the viewer in its iframe. */
export async function startViewerRig(client: Client, executablePath: string) {
  const [html, script] = await Promise.all([viewerHtml(client), hostScript()]);
  /** The URI of every resources/read the view made. */
  const reads: string[] = [];
  /** resources/read of these URIs is answered this many ms late (a slow host or server). */
  const slowReads = new Map<string, number>();
  const read = async (params: ReadResourceRequest["params"]) => {
    reads.push(params.uri);
    const ms = slowReads.get(params.uri);
    if (ms) await new Promise((r) => setTimeout(r, ms));
    return client.readResource(params);
  };
  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/rpc") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const { method, params } = JSON.parse(body) as { method: string; params: unknown };
        const call =
          method === "tools/call"
            ? client.callTool(params as CallToolRequest["params"], undefined, { timeout: 120_000 })
            : method === "resources/read"
              ? read(params as ReadResourceRequest["params"])
              : Promise.reject(new Error(`unexpected ${method}`));
        call.then(
          (result) => res.end(JSON.stringify({ result })),
          (e: unknown) => res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) })),
        );
      });
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        `<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module">${script.replace(/<\/script/gi, "<\\/script")}</script>`,
      );
    } else if (req.url === "/viewer.html") {
      res.writeHead(200, { "content-type": "text/html", "content-security-policy": DEFAULT_APPS_CSP });
      res.end(html);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  // findChromium() gives the command name; playwright wants its path.
  const path = executablePath.includes("/")
    ? executablePath
    : spawnSync("sh", ["-c", `command -v ${executablePath}`])
        .stdout.toString()
        .trim();
  const browser: Browser = await chromium.launch({
    executablePath: path,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required"],
  });

  async function open(): Promise<ViewerHost & { cspViolations: string[]; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 660, height: 900 } });
    const cspViolations: string[] = [];
    const errors: string[] = [];
    /** Every URL the page or the view requested (the view must request none: its bytes come over the bridge). */
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await hostCall(page, "ready");
    const frame = () => {
      const f = page.frames().find((x) => x.url().endsWith("/viewer.html"));
      if (!f) throw new Error("no viewer frame");
      return f;
    };
    return {
      page,
      frame,
      view: page.frameLocator("iframe"),
      cspViolations,
      errors,
      requests,
      calls: () => hostCall(page, "calls"),
      links: () => hostCall(page, "links"),
      fail: (n) => hostCall(page, "fail", n),
      input: (a) => hostCall(page, "input", a),
      result: (r) => hostCall(page, "result", r),
      cancelled: (s) => hostCall(page, "cancelled", s),
      teardown: () => hostCall<unknown>(page, "teardown").then(() => undefined),
      close: () => page.close(),
    };
  }

  return {
    html,
    url,
    reads,
    slowReads,
    open,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}
