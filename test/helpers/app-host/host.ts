/// <reference lib="dom" />
/**
 * A minimal MCP Apps host page for the viewer's browser test: it loads the viewer in a sandboxed
 * iframe, speaks the ext-apps protocol through the official `AppBridge`, and forwards the view's
 * tools/call and resources/read to the test process (POST /rpc), which sends them to the built
 * server through an SDK Client. The test drives it through `window.host`.
 */
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
import type { CallToolResult, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";

async function rpc<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch("/rpc", { method: "POST", body: JSON.stringify({ method, params }) });
  const body = (await res.json()) as { result?: T; error?: string };
  if (body.error !== undefined) throw new Error(body.error);
  return body.result as T;
}

const iframe = document.createElement("iframe");
iframe.sandbox.add("allow-scripts");
iframe.style.cssText = "width:640px;height:400px;border:0;display:block";
iframe.src = "/viewer.html";
document.body.append(iframe);

const calls: Array<{ name: string; arguments?: Record<string, unknown> }> = [];
const links: string[] = [];
const bridge = new AppBridge(
  null,
  { name: "viewer-test-host", version: "1.0.0" },
  { openLinks: {}, serverTools: {}, serverResources: {} },
  { hostContext: { theme: "light", displayMode: "inline", platform: "web", containerDimensions: { width: 640, maxHeight: 2000 } } },
);
/** How many of the next wait_for_job calls fail in the host (a thrown transport error, not a tool result). */
let failing = 0;
bridge.oncalltool = async (params) => {
  calls.push({ name: params.name, arguments: params.arguments });
  if (params.name === "wait_for_job" && failing > 0 && failing--) throw new Error("host unavailable");
  return rpc<CallToolResult>("tools/call", params);
};
bridge.onreadresource = (params) => rpc<ReadResourceResult>("resources/read", params);
bridge.onopenlink = (params) => {
  links.push(params.url);
  return Promise.resolve({});
};
bridge.onsizechange = ({ height }) => {
  if (height) iframe.style.height = `${Math.ceil(height)}px`;
};
const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
const connected = bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));

const ready = connected.then(() => initialized);
const host = {
  ready: () => ready,
  calls: () => calls,
  links: () => links,
  fail: (n: number) => void (failing = n),
  input: (args: Record<string, unknown>) => bridge.sendToolInput({ arguments: args }),
  result: (r: CallToolResult) => bridge.sendToolResult(r),
  cancelled: (reason: string) => bridge.sendToolCancelled({ reason }),
  teardown: () => bridge.teardownResource({}),
};
(window as unknown as { host: typeof host }).host = host;
