import { describe, expect, it } from "vitest";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { plainError } from "../../src/transports/plain-errors.js";

const error = (code: number, message: string) => ({ jsonrpc: "2.0" as const, id: 7, error: { code, message } });

describe("JSON-RPC errors as sent", () => {
  it("drop the SDK's own 'MCP error' prefix, and give an unknown resource MCP's not-found code", () => {
    const sdk = new McpError(-32602, "Resource file:///etc/passwd not found");
    expect(plainError(error(sdk.code, sdk.message))).toEqual(error(-32002, "Resource file:///etc/passwd not found"));
    expect(plainError(error(-32602, "MCP error -32602: Prompt p not found"))).toEqual(error(-32602, "Prompt p not found"));
  });

  it("say params the SDK's schema refused as invalid params in one line, not an internal error with a JSON dump", () => {
    const dump = JSON.stringify(
      [
        {
          expected: "record",
          code: "invalid_type",
          path: ["params", "arguments"],
          message: "Invalid input: expected record, received array",
        },
      ],
      null,
      2,
    );
    expect(plainError(error(-32603, dump))).toEqual(
      error(-32602, "Invalid params: params.arguments: Invalid input: expected record, received array"),
    );
  });

  it("leave every other message as it was", () => {
    for (const m of [error(-32603, "boom"), error(-32603, "[not json"), error(-32601, "Method not found")]) expect(plainError(m)).toBe(m);
    const result = { jsonrpc: "2.0" as const, id: 1, result: {} };
    expect(plainError(result)).toBe(result);
  });
});
