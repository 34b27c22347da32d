// The outcome of the last save and of the last rewrite (`info()`), recorded
// the same way for both.

/** Outcome of the last save / rewrite. */
export interface OpStatus {
  time: number | null;
  status: "ok" | "err" | "none";
  error: string | null;
}

/** Runs `op`, recording in `status` when it ended (`clock()`) and how; rethrows its error. */
export async function recorded<T>(
  status: OpStatus,
  clock: () => number,
  op: () => Promise<T>,
): Promise<T> {
  let r: T;
  try {
    r = await op();
  } catch (e) {
    Object.assign(status, { time: clock(), status: "err", error: String(e) });
    throw e;
  }
  Object.assign(status, { time: clock(), status: "ok", error: null });
  return r;
}
