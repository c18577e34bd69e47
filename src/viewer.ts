/**
 * The MCP App viewer (issue 15): one HTML resource, `ui://aigc-mcp/viewer`, that hosts with MCP Apps
 * render inline for every tool that returns a job (gallery, players, a progress card). Declared
 * through the official ext-apps helpers; hosts without Apps ignore the declaration and see the same
 * results. AIGC_MCP_APPS=false declares nothing.
 */
import { readFile } from "node:fs/promises";
import { ResourceTemplate, type McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/**
 * ext-apps' RESOURCE_MIME_TYPE and RESOURCE_URI_META_KEY, written out: importing
 * `@modelcontextprotocol/ext-apps/server` for two strings built its zod schemas at every start
 * (~30 ms, issue 16). test/unit/viewer-constants.test.ts fails if ext-apps changes them.
 */
export const RESOURCE_MIME_TYPE = "text/html;profile=mcp-app";
export const RESOURCE_URI_META_KEY = "ui/resourceUri";

export const VIEWER_URI = "ui://aigc-mcp/viewer";

/** Where the build writes the single-file view (scripts/build-viewer.mjs), beside this module in dist/. */
const VIEWER_FILE = new URL("./viewer.html", import.meta.url);

let html: Promise<string> | undefined;

/** The view's HTML, read once on first use (hosts read it on tools/list or first render, not at start-up). */
function viewerHtml(): Promise<string> {
  html ??= readFile(VIEWER_FILE, "utf8").catch((err: unknown) => {
    html = undefined;
    throw new Error(`The viewer is not built (${VIEWER_FILE.pathname}: ${(err as Error).message}); run npm run build`);
  });
  return html;
}

/** The tool `_meta` that points Apps hosts at the viewer, with the deprecated flat key older hosts read (as ext-apps' registerAppTool sets both). */
export const viewerToolMeta = { ui: { resourceUri: VIEWER_URI }, [RESOURCE_URI_META_KEY]: VIEWER_URI };

/**
 * Registers the viewer resource. Its CSP declares no domain: media arrive as `data:` URIs read
 * through resources/read. A template without a list callback, so resources/list stays the list of
 * generated files (the spec lets a UI resource be left out of it) while hosts read it by its URI.
 */
export function registerViewer(server: McpServer): void {
  server.registerResource(
    "viewer",
    new ResourceTemplate(VIEWER_URI, { list: undefined }),
    {
      title: "aigc-mcp viewer",
      description: "Shows, plays and follows the jobs of aigc-mcp's tools (MCP Apps hosts render it inline).",
      mimeType: RESOURCE_MIME_TYPE,
    },
    async () => ({
      contents: [{ uri: VIEWER_URI, mimeType: RESOURCE_MIME_TYPE, text: await viewerHtml(), _meta: { ui: { prefersBorder: true } } }],
    }),
  );
}
