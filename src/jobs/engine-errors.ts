/** The job engine's own refusals: a job id no store knows, a vendor this server has no credentials for. */
import { AigcError, knownVendorIds } from "../errors.js";

const AS_RETURNED = "Pass a job_id exactly as a generation tool or list_jobs returned it.";

/** A job id that cannot be a job: malformed, or missing what its vendor's lookups need (TaskDriver.checkHandle). */
export function invalidJobId(message: string, vendor?: string): AigcError {
  return new AigcError({ category: "invalid_input", code: "InvalidJobId", ...(vendor ? { vendor } : {}), message, hint: AS_RETURNED });
}

export function unknownJob(where: string, jobId: string): AigcError {
  return new AigcError({
    category: "not_found",
    code: "JobNotFound",
    message: `job_id: ${where} has no record of "${jobId.slice(0, 80)}"`,
    hint: `${AS_RETURNED} Records are kept for AIGC_MCP_JOB_RETENTION_DAYS; replicas must share AIGC_MCP_REDIS_URL (or the output folder).`,
  });
}

/** A job id of a configured vendor naming an operation it has no jobs of (`ops`: those it has). */
export function unknownOperation(vendor: string, op: string, ops: string[]): AigcError {
  return new AigcError({
    category: "invalid_input",
    code: "JobNotFound",
    message: `job_id names the ${vendor} operation "${op.slice(0, 40)}" this server has no jobs of (it has ${ops.join(", ")})`,
    hint: AS_RETURNED,
  });
}

/** A job id of no vendor aigc-mcp knows (configured here or not): its refusal, else undefined. */
export function unknownVendor(vendor: string): AigcError | undefined {
  const known = knownVendorIds();
  if (!known.length || known.includes(vendor)) return undefined;
  return invalidJobId(`job_id names the vendor "${vendor.slice(0, 40)}", which is none of aigc-mcp's (${known.join(", ")})`);
}

/** A job id of a vendor this server has no credentials for, or of no vendor aigc-mcp knows. */
export function vendorNotConfigured(vendor: string): AigcError {
  const unknown = unknownVendor(vendor);
  if (unknown) return unknown;
  return new AigcError({
    category: "invalid_input",
    code: "VendorNotConfigured",
    message: `this server has no ${vendor} credentials configured, so it cannot look up ${vendor} jobs`,
    hint: "Start the server with that vendor's environment variables (see aigc-mcp --help).",
  });
}
