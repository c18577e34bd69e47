/** Ark jobs through the job tools: a download after a restart finds the vendor URL expired; cancel_job follows Ark's DELETE rules; 0.1.0 job ids still resume. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startHarness, structured, text } from "../../../helpers/harness.js";
import { jobOf, requestsTo } from "../../../helpers/results.js";

describe("Ark tools end to end (in-process)", () => {
  it("reports a vendor URL that expired before download", async () => {
    const first = await startHarness();
    const r1 = await first.call("seedance_generate_video", { prompt: "late download", wait_seconds: 0 });
    const { job_id, vendor_task_id } = structured<{ job_id: string; vendor_task_id: string }>(r1);
    await first.app.close(); // the server goes away before the task finishes
    const later = await first.restart();
    try {
      first.ark.sim.advance(1000);
      const peek = await fetch(`${first.ark.baseUrl}/contents/generations/tasks/${vendor_task_id}`, {
        headers: { authorization: `Bearer ${first.ark.apiKey}` },
      });
      expect(((await peek.json()) as { status: string }).status).toBe("succeeded");
      first.ark.sim.advance(25 * 3600_000); // the output URL expires before anyone downloads it
      const r = await later.call("wait_for_job", { job_id, wait_seconds: 10 });
      expect(r.isError).toBe(true);
      expect(structured(r)).toMatchObject({ status: "failed", error: { code: "MediaUrlExpired" } });
      expect(text(r)).toMatch(/expired/);
    } finally {
      await later.close();
      await first.close();
    }
  });
});

describe("ids the server mints", () => {
  it("a model id of the longest allowed length (128) gives a job id a restarted server resumes", async () => {
    const first = await startHarness();
    const model = `ep-${"m".repeat(125)}`;
    const r1 = await first.call("seedance_generate_video", { prompt: "long model id", model, wait_seconds: 0 });
    expect(r1.isError, text(r1)).toBeFalsy();
    const { job_id } = jobOf(r1);
    await first.app.close();
    const later = await first.restart();
    try {
      const r = await later.call("get_job", { job_id });
      expect(r.isError, text(r)).toBeFalsy();
      expect(jobOf(r).job_id).toBe(job_id);
      const tooLong = await later.call("seedance_generate_video", { prompt: "x", model: `ep-${"m".repeat(126)}`, wait_seconds: 0 });
      expect(tooLong.isError).toBe(true);
      expect(text(tooLong)).toMatch(/model/);
    } finally {
      await later.close();
      await first.close();
    }
  });
});

describe("cancellation", () => {
  it("cancel_job cancels a queued Ark task and refuses a running one plainly", async () => {
    const h = await startHarness({ ark: { queuedMs: 3000, runningMs: 60_000 } });
    try {
      const q = jobOf(await h.call("seedance_generate_video", { prompt: "queued", wait_seconds: 0 }));
      const c = await h.call("cancel_job", { job_id: q.job_id });
      expect(structured(c)).toMatchObject({ cancelled: true, status: "cancelled" });
      expect(text(c)).toMatch(/removed the queued task/);

      const r = jobOf(await h.call("seedance_generate_video", { prompt: "running", wait_seconds: 0 }));
      h.ark.sim.advance(3500);
      const c2 = await h.call("cancel_job", { job_id: r.job_id });
      expect(structured(c2)).toMatchObject({ cancelled: false });
      expect(text(c2)).toMatch(/cannot cancel a task that is already running/);
      // A cancel waits for nothing: no wait budget to have run out of.
      expect(text(c2)).not.toMatch(/wait budget/);
      expect(text(c2)).toMatch(/Call wait_for_job with job_id "[^"]+" to wait for it/);
      // The job says what the vendor said: running, not the queued of its last poll.
      expect(structured(c2)).toMatchObject({ status: "running" });
      expect(text(c2)).not.toMatch(/still queued/);

      const again = await h.call("cancel_job", { job_id: q.job_id });
      expect(text(again)).toMatch(/already ended \(cancelled\)/);

      // A job that failed is no failure of the cancel: no isError, and no "Error:" first line (Dify reads it as one).
      const failed = jobOf(await h.call("seedance_generate_video", { prompt: "[fail] x", wait_seconds: 0 }));
      h.ark.sim.advance(70_000);
      expect(jobOf(await h.call("wait_for_job", { job_id: failed.job_id, wait_seconds: 10 })).status).toBe("failed");
      const late = await h.call("cancel_job", { job_id: failed.job_id });
      expect(late.isError).toBeFalsy();
      expect(text(late)).toMatch(/^The job already ended \(failed\); there is nothing to cancel\.\nThe job failed: \w+ \(Ark/);
      expect(structured(late)).toMatchObject({ cancelled: false, status: "failed" });
      expect((await h.call("get_job", { job_id: failed.job_id })).isError).toBe(true);
    } finally {
      await h.close();
    }
  });

  it("cancel_job of a task Ark does not know says there is nothing to cancel, as get_job says it ended, in a fresh server too", async () => {
    const h = await startHarness();
    try {
      const id = "t.ark.video.0.cgt-20991231000000-nope1";
      const c = await h.call("cancel_job", { job_id: id });
      expect(c.isError, text(c)).toBeFalsy();
      expect(text(c)).toMatch(/^Ark does not know task cgt-20991231000000-nope1 \(\S+\): there is nothing to cancel\./);
      expect(structured(c)).toMatchObject({ cancelled: false, status: "expired" });
      const g = await h.call("get_job", { job_id: id });
      expect(structured(g)).toMatchObject({ status: "expired" });
      // It was never shown to exist: still no record, and a second cancel says the same.
      expect(await h.app.jobs.store.load(id)).toBeUndefined();
      expect(text(await h.call("cancel_job", { job_id: id }))).toMatch(/there is nothing to cancel/);
    } finally {
      await h.close();
    }
  });

  it("a task cancelled elsewhere ends here as that cancel said (another server), or as Ark says (its console), never as generating", async () => {
    const a = await startHarness({ ark: { queuedMs: 60_000, runningMs: 60_000 } });
    const b = await a.restart(); // another server on the same store and vendor
    try {
      const q = jobOf(await a.call("seedance_generate_video", { prompt: "cancelled on B", wait_seconds: 0 }));
      expect(text(await b.call("cancel_job", { job_id: q.job_id }))).toMatch(/removed the queued task/);
      const onA = jobOf(await a.call("wait_for_job", { job_id: q.job_id, wait_seconds: 20 }));
      expect(onA.status).toBe("cancelled");
      expect(onA.detail).toMatch(/removed the queued task; nothing is billed/);

      const c = jobOf(await a.call("seedance_generate_video", { prompt: "cancelled in the console", wait_seconds: 0 }));
      const del = await fetch(`${a.ark.baseUrl}/contents/generations/tasks/${c.vendor_task_id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${a.ark.apiKey}` },
      });
      expect(del.status).toBe(200);
      const ended = jobOf(await a.call("wait_for_job", { job_id: c.job_id, wait_seconds: 20 }));
      expect(ended.status).toBe("cancelled");
      expect(ended.detail).toBe("Ark reports the task cancelled");
    } finally {
      await b.close();
      await a.close();
    }
  });

  it("two cancel_job calls at once on a queued task both say it is cancelled", async () => {
    const h = await startHarness({ ark: { queuedMs: 60_000, runningMs: 60_000 } });
    try {
      const q = jobOf(await h.call("seedance_generate_video", { prompt: "cancelled twice", wait_seconds: 0 }));
      // Both read the task queued before either DELETE: Ark refuses the second (OperationDenied.InvalidState).
      const both = await Promise.all([h.call("cancel_job", { job_id: q.job_id }), h.call("cancel_job", { job_id: q.job_id })]);
      for (const c of both) {
        expect(structured(c)).toMatchObject({ cancelled: true, status: "cancelled" });
        expect(text(c)).not.toMatch(/running|refused to cancel/);
      }
      expect(requestsTo(h.ark, (r) => r.method === "DELETE")).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it("cancel_job on a task that has just succeeded leaves the job to save its video", async () => {
    const h = await startHarness({ ark: { queuedMs: 1000, runningMs: 1000 } });
    try {
      const job = jobOf(await h.call("seedance_generate_video", { prompt: "done before the cancel", wait_seconds: 0 }));
      h.ark.sim.advance(2500);
      const c = await h.call("cancel_job", { job_id: job.job_id });
      expect(structured(c)).toMatchObject({ cancelled: false, status: "succeeded" });
      expect(text(c)).toMatch(/has already succeeded \(and is billed\); its video is saved/);
      expect(text(c)).not.toMatch(/still running/);
      const done = jobOf(await h.call("wait_for_job", { job_id: job.job_id, wait_seconds: 20 }));
      expect(done.status).toBe("succeeded");
      expect(done.assets).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("jobs of release 0.1.0", () => {
  const fixture = JSON.parse(readFileSync(new URL("../../../fixtures/job-ids-0.1.0.json", import.meta.url), "utf8")) as Array<{
    tool: string;
    job_id: string;
    vendor_task_id?: string;
  }>;

  it("resume a Seedance task whose model has been retired since: the catalog only guards new calls", async () => {
    const entry = fixture.find((e) => e.tool === "seedance_generate_video")!;
    const h = await startHarness();
    try {
      // The task Ark created for 0.1.0, on the model it was made with (doubao-seedance-1-5-pro-251215, now retired).
      h.ark.tasks.set(entry.vendor_task_id!, {
        id: entry.vendor_task_id!,
        createdMs: h.ark.sim.now(),
        queuedMs: 50,
        runningMs: 100,
        outcome: "succeeded",
        data: { model: "doubao-seedance-1-5-pro-251215", body: {}, prompt: "fixture video" },
      });
      const done = structured<{ status: string; model?: string; vendor_task_id: string }>(
        await h.call("wait_for_job", { job_id: entry.job_id, wait_seconds: 20 }),
      );
      expect(done).toMatchObject({ status: "succeeded", vendor_task_id: entry.vendor_task_id, model: "doubao-seedance-1-5-pro-251215" });
    } finally {
      await h.close();
    }
  });
});
