/** The text a job result leads with (src/tools/job-result.ts): what it says of a job still running. */
import { describe, expect, it } from "vitest";
import { jobMessage, summarize } from "../../src/tools/job-words.js";
import type { JobRecord } from "../../src/jobs/types.js";

const running = (op: string) =>
  ({ job_id: "t.visual.x.1", vendor: "visual", op, status: "running", assets: [], percent: 40 }) as unknown as JobRecord;

describe("a job still running", () => {
  it("says a video outliving the wait budget is normal, and claims nothing of the kind for an image", () => {
    expect(summarize(running("video"))).toMatch(
      /not finished within this call's wait budget, which is normal for video\. Call wait_for_job/,
    );
    const image = summarize(running("image"));
    expect(image).toMatch(
      /is still running, 40%\. It was not finished within this call's wait budget\. Call wait_for_job with job_id "t\.visual\.x\.1"/,
    );
    expect(image).not.toMatch(/video/);
  });

  it("claims no wait budget for a call that only looked (get_job, cancel_job, wait_seconds 0)", () => {
    const looked = summarize(running("video"), false);
    expect(looked).not.toMatch(/wait budget|normal for video/);
    expect(looked).toMatch(/is still running, 40%\. Call wait_for_job with job_id "t\.visual\.x\.1" to wait for it/);
    expect(jobMessage(running("video"), false)).toBe('running: call wait_for_job with job_id "t.visual.x.1" to wait for it');
    expect(jobMessage(running("video"))).toBe('running: call wait_for_job with job_id "t.visual.x.1" to keep waiting');
  });

  it("says a job this server stopped driving short of an end waits for a fix, not that waiting longer helps", () => {
    const record = { ...running("video"), detail: "Ark refused to show the task's status (AuthenticationError)" };
    const text = summarize(record, true, true);
    expect(text).toMatch(/is still running \(Ark refused .*\)\. This server stopped following it short of an end for the reason above/);
    expect(text).toMatch(/call wait_for_job with job_id "t\.visual\.x\.1", which asks the vendor again at once/);
    expect(text).not.toMatch(/wait budget|normal for video|keep waiting/);
    expect(jobMessage(record, true, true)).toMatch(/^running: stopped short of an end on this server/);
  });

  it("claims only what this process knows: the call ending does not stop the job, not that the job runs", () => {
    const text = summarize({ ...running("video"), detail: "the vendor does not know task x when this server asks" });
    expect(text).toMatch(/The end of this call does not stop the job\.$/);
    expect(text).not.toMatch(/keeps running/);
  });
});

describe("a finished job's one-line message", () => {
  const done = (asset: Record<string, unknown>) =>
    ({
      job_id: "t.ark.image.x.1",
      vendor: "ark",
      op: "image",
      status: "succeeded",
      assets: [{ uri: "media://files/a.png", mime_type: "image/png", bytes: 9, sha256: "s", path: "/out/a.png", ...asset }],
    }) as unknown as JobRecord;

  it("gives the download URL of a file not copied to the bucket, marked so (the path is on the server's machine)", () => {
    const message = jobMessage(done({ storage_error: "object storage: …", download_url: "https://aigc.example.com/media/a.png?sig=1" }));
    expect(message).toBe("succeeded: 1 file(s) saved: https://aigc.example.com/media/a.png?sig=1 (not copied to the bucket)");
  });

  it("names a file changed since it was saved by its path: the mark is about that file", () => {
    const message = jobMessage(done({ file: "changed", download_url: "https://x.example/a.png" }));
    expect(message).toBe("succeeded: 1 file(s) saved: /out/a.png (since changed)");
  });
});
