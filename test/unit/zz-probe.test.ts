import { it } from "vitest";
import { startHarness, text } from "../helpers/harness.js";
it("probe", async () => {
  const h = await startHarness({});
  for (const id of ["t.kling.video.tpj4ql.123", "t.ark.video.tpj4ql.x"]) {
    const r = await h.call("get_job", { job_id: id });
    console.log(id, r.isError, JSON.stringify(r.structuredContent).slice(0, 600), "\n", text(r));
  }
  await h.close();
});
