/**
 * The words for a saved output no longer as it was saved, shared by the tool results and the MCP
 * App viewer (no imports: the viewer's browser bundle includes this module).
 */

/** `missing`: no longer in the output folder; `changed`: other bytes than the ones generated. */
export type FileState = "missing" | "changed";

/** What became of a file, in the words every result uses: `done` after "it was", `since` as a short mark. */
export const FILE_STATE_WORDS: Record<FileState, { done: string; since: string }> = {
  missing: { done: "removed from the output folder after it was saved", since: "since removed from the output folder" },
  changed: { done: "changed after it was saved", since: "since changed" },
};
