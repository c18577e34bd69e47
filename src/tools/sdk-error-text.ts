/** Failures the SDK answers itself (an unknown tool, a disabled one), in the shape every failure has. */
import { nearest } from "../nearest.js";

/**
 * An error text from outside our tools (the SDK) with the first line every failure has: "Error: <code>: …";
 * for an unknown tool, the nearest of `tools` and what to do.
 */
export function asErrorText(message: string, tools: string[]): string {
  if (message.startsWith("Error:")) return message;
  const m = /^MCP error (-?\d+): ([\s\S]*)$/.exec(message);
  const text = m ? `Error: ${m[1] === "-32602" ? "InvalidParams" : `MCP${m[1]}`}: ${m[2]}` : `Error: ${message}`;
  const unknown = /^Tool (\S+) not found$/.exec(m?.[2] ?? "")?.[1];
  if (!unknown) return text;
  const near = nearest(unknown, tools);
  return `${text}${near ? `; did you mean ${near}?` : ""}\nWhat to do: Call a tool this server lists (tools/list). A vendor's tools are listed only when its credentials are set, and AIGC_MCP_TOOLSETS can leave toolsets out.`;
}
