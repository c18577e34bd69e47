/** Which JSON-RPC code a task-augmented call's refusal gets (tools/task-store.ts errorCodeOf). */
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { AigcError, inputError } from "../../src/errors.js";
import { errorCodeOf } from "../../src/tools/task-store.js";

describe("errorCodeOf", () => {
  it("says -32602 for the caller's arguments, -32603 for a busy server or vendor (retry later, not a mistake in the call)", () => {
    expect(errorCodeOf(inputError("image", "is empty"))).toBe(ErrorCode.InvalidParams);
    const busy = new AigcError({ category: "rate_limit", code: "Busy", message: "image (3 bytes) was not read" });
    expect(errorCodeOf(busy)).toBe(ErrorCode.InternalError);
    expect(errorCodeOf(new AigcError({ category: "local", code: "DiskFull", message: "full" }))).toBe(ErrorCode.InternalError);
  });
});
