/**
 * Server factory: one McpServer with the job tools, the tools of every configured vendor and the
 * `media://` resources. Cheap to build, so HTTP builds one per request (stateless) while all state
 * lives in the shared AppContext.
 */
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { AppContext } from "./context.js";
import { ELSEWHERE, MEDIA_URI_PREFIX } from "./media/media-uri.js";
import { sniffBytes } from "./media/sniff.js";
import { isMediaElsewhere, isMediaNotFound, openGenerated, readOpened } from "./media/open-file.js";
import { AigcError, describeError } from "./errors.js";
import { LoadRoom } from "./net/loaded-media.js";
import { redact } from "./log.js";
import { registerTool, type ToolDef } from "./tools/define.js";
import { jobTools } from "./tools/jobs.js";
import { listModels } from "./tools/list-models.js";
import { estimateCostTool, getBudgetTool } from "./tools/cost-tools.js";
import { MEDIA_REF_HELP, MEDIA_REF_HELP_NO_PATHS } from "./tools/media-inputs.js";
import type { CoreConfig } from "./config.js";
import { VERSION } from "./version.js";
import { registerViewer } from "./viewer.js";
import { listServable } from "./media/listing.js";
import { TASKS_CAPABILITY, installTasks } from "./tools/task-calls.js";
import { RESOURCE_NOT_FOUND, withPlainErrors } from "./transports/plain-errors.js";
import { AnswerRooms } from "./transports/answer-rooms.js";

/** Largest file served through resources/read (base64 in one JSON message). */
export const RESOURCE_READ_MAX_BYTES = 64 * 1024 * 1024;

/**
 * What every tool shares, said once here rather than in each field of the tool list (which goes with
 * every model request, issue 12 item 16): jobs and wait_seconds, media inputs, model, delivery.
 */
export function instructions(config: CoreConfig, localPaths = true): string {
  return `aigc-mcp generates images, video and audio with Chinese AIGC vendors.
Generation tools start a job and wait up to wait_seconds (default ${config.defaultWaitS}, at most ${config.maxWaitS}). If the result says status "submitting", "queued" or "running", call wait_for_job with the job_id (repeat until it finishes); never start the same generation again, that bills twice.
Media inputs (image, video and audio arguments) take ${localPaths ? MEDIA_REF_HELP : MEDIA_REF_HELP_NO_PATHS}; a field's description gives only the vendor's limits. Kling's video inputs take only a URL, or a media:// URI when results give download links.
model: leave it out for the tool's default; list_models lists each tool's models and what each accepts (any name is sent on to the vendor).
delivery (tools that return files): embed = small files inside the result, links for the rest; link = paths and links only; preview = links plus a small image preview. Default: the server's AIGC_MCP_DELIVERY.
Finished media are saved in the output folder (absolute paths in the result) and are always readable as media:// resources. Vendor URLs expire; the saved files do not.
list_jobs finds earlier jobs, including ones from other sessions.
Paid tools take max_cost (refused unless the estimate, in the model's price currency, is at most this), idempotency_key (the same call with the same key within 24 h returns the first call's job: safe to retry)${config.cost.confirmAbove.length ? " and confirm (only after the user approved the estimate you were given)" : ""}. estimate_cost prices a call without running it; get_budget shows spending and what is left.`;
}

/**
 * The toolsets this server lists and their tools, in listing order. AIGC_MCP_TOOLSETS lists only
 * the chosen ones; every vendor stays loaded, so jobs of a hidden vendor still resume.
 */
export function listedToolsets(app: AppContext): Toolsets {
  let sets = toolsets.get(app);
  if (!sets) toolsets.set(app, (sets = buildToolsets(app)));
  return sets;
}

type Toolsets = Array<{ toolset: string; tools: ToolDef[] }>;
/** Per context, built once: HTTP builds a server per request, and the tools' zod schemas need building only once. */
const toolsets = new WeakMap<AppContext, Toolsets>();

function buildToolsets(app: AppContext): Toolsets {
  const listed = (name: string) => !app.config.toolsets || app.config.toolsets.includes(name);
  return [
    ...app.vendors.filter((v) => listed(v.id)).map((v) => ({ toolset: v.id, tools: v.tools })),
    ...(listed("jobs") ? [{ toolset: "jobs", tools: jobTools(app) }] : []),
    ...(listed("models") ? [{ toolset: "models", tools: [listModels(app)] }] : []),
    // Pricing and budgets concern paid tools: with no vendor configured there is nothing to price.
    ...(listed("cost") && app.vendors.length ? [{ toolset: "cost", tools: costTools(app) }] : []),
  ];
}

/** estimate_cost (over every listed tool) and get_budget. */
function costTools(app: AppContext): ToolDef[] {
  const estimate = estimateCostTool(app, () => listedToolsets(app).flatMap((t) => t.tools));
  return [estimate, getBudgetTool(app)];
}

let ajv: AjvJsonSchemaValidator | undefined;

/**
 * The SDK's own JSON Schema validator (Ajv), built when first asked for. The SDK builds one per
 * Server by default (~10 ms each: at start, and for every HTTP request's server) and uses it only
 * to check form elicitation answers; our confirmation form goes through extra.sendRequest.
 */
const lazyValidator: jsonSchemaValidator = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

/** A job store or bucket that did not answer, for resources/list and resources/read: its code and what to do, not "not found". */
function storeFailure(err: unknown): never {
  throw new Error(redact(describeError(err)));
}

/** A resources/read that found no room in time: the Busy reason, and what to do (a vendor is not involved). */
function busyRead(err: unknown): never {
  if (err instanceof AigcError && err.info.code === "Busy") throw new Error(`Busy: ${err.message}; read it again in a few seconds`);
  throw err;
}

export function createMcpServer(app: AppContext): McpServer {
  const answering = new AnswerRooms();
  const server = new McpServer(
    { name: "aigc-mcp", title: "AIGC media generation", version: VERSION },
    {
      capabilities: { tools: {}, resources: {}, ...(app.config.tasks ? { tasks: TASKS_CAPABILITY } : {}) },
      // Local paths are refused over HTTP without AIGC_MCP_INPUT_ROOTS (or with no safe default root): not offered then.
      instructions: instructions(app.config, app.inputs.roots.length > 0),
      jsonSchemaValidator: lazyValidator,
    },
  );
  for (const tool of listedToolsets(app).flatMap((t) => t.tools)) registerTool(server, app, tool);
  if (app.config.tasks) installTasks(server, app);
  if (app.config.apps) registerViewer(server);
  server.registerResource(
    "media",
    new ResourceTemplate(`${MEDIA_URI_PREFIX}{name}`, {
      list: async () => ({
        resources: (await listServable(app.media, 50).catch(storeFailure)).map((f) => ({
          uri: f.uri,
          name: f.name,
          ...(f.mime ? { mimeType: f.mime } : {}),
          ...(f.bytes !== undefined ? { size: f.bytes } : {}),
        })),
      }),
    }),
    { title: "Generated media", description: "Files generated by this server (any replica sharing its job store), newest first." },
    async (uri, _variables, extra) => {
      // Anything that is not a generated file answers the same "not found" (MCP's -32002).
      const file = await openGenerated(app.media, uri.href).catch((err: unknown) => {
        if (!isMediaNotFound(err)) return storeFailure(err);
        // Not an McpError: its message already starts "MCP error -32002:", and the client's McpError adds that again.
        const where = isMediaElsewhere(err) ? `: ${ELSEWHERE}` : "";
        throw Object.assign(new Error(`Resource ${uri.href} not found${where}`), { code: RESOURCE_NOT_FOUND });
      });
      const room = new LoadRoom();
      try {
        if (file.size > RESOURCE_READ_MAX_BYTES) {
          // resources/read has no streaming: a huge base64 blob would cost several copies in memory.
          const path = await app.media.resolve(uri.href).then(
            (r) => r.path,
            () => uri.href,
          );
          throw new Error(
            `${uri.href} is ${file.size} bytes, over the ${RESOURCE_READ_MAX_BYTES}-byte limit for resources/read; read the file at ${path} instead`,
          );
        }
        // Read whole and sent as base64 (several copies of the file in memory): counted as the media
        // a call reads (net/loaded-media.ts), so a burst of large reads takes turns.
        await room.take(file.size, uri.href, extra.signal).catch(busyRead);
        const data = await app.media.queue.run(() => readOpened(file, file.size));
        const sniffed = await sniffBytes(data.subarray(0, 64 * 1024));
        const blob = data.toString("base64");
        // Its copies live on in the answer: the room is held until the answer is sent.
        answering.holdUntilAnswered(extra.requestId, room, extra.signal);
        return { contents: [{ uri: uri.href, mimeType: sniffed?.mime ?? "application/octet-stream", blob }] };
      } catch (err) {
        room.close();
        throw err;
      } finally {
        await file.fh.close().catch(() => undefined);
      }
    },
  );
  const connect = server.connect.bind(server);
  server.connect = (transport) => connect(withPlainErrors(answering.wrap(transport)));
  return server;
}
