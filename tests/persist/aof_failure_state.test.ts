// The failure state of a log's writer on its own: ok, failed and retried by a
// timer until cleared, fatal (no retry, never cleared), stopped (no timer).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FailureState } from "../../src/persist/_aof_failure.ts";
import { AofFailedError } from "../../src/persist/aof_errors.ts";

const err = (m: string): AofFailedError => new AofFailedError("/db/aof-0.aof", new Error(m));

/** Resolves once `cond()` holds; rejects after `ms` (a deadline, not a sleep). */
async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met before the deadline");
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("FailureState", () => {
  it("starts ok: no error, not retrying, no timer; clear changes nothing", () => {
    const s = new FailureState(() => assert.fail("no retry while ok"));
    assert.equal(s.error, null);
    assert.equal(s.retrying, false);
    assert.equal(s.fatal, false);
    assert.equal(s.ticking, false);
    assert.equal(s.clear(), false);
  });

  it("a failure is retried by the timer until cleared, then the timer stops", async () => {
    let tries = 0;
    const s = new FailureState(() => tries++, 1);
    const e = err("ENOSPC");
    s.set(e);
    assert.equal(s.error, e);
    assert.equal(s.retrying, true);
    assert.equal(s.ticking, true);
    await until(() => tries >= 2);
    assert.equal(s.clear(), true);
    assert.equal(s.error, null);
    assert.equal(s.retrying, false);
    assert.equal(s.ticking, false);
  });

  it("a second failure while retrying replaces the error and keeps one timer", () => {
    const s = new FailureState(() => {}, 60_000);
    s.set(err("first"));
    const second = err("second");
    s.set(second);
    assert.equal(s.error, second);
    assert.equal(s.ticking, true);
    s.stop();
  });

  it("fatal: no retry, and clear() never makes it ok", () => {
    const s = new FailureState(() => {}, 60_000);
    s.set(err("ENOSPC"));
    const f = err("file state unknown");
    s.setFatal(f);
    assert.equal(s.fatal, true);
    assert.equal(s.retrying, false);
    assert.equal(s.ticking, false);
    assert.equal(s.clear(), false);
    assert.equal(s.error, f);
    // A later write failure does not revive the retry of a fatal state.
    const later = err("later");
    s.set(later);
    assert.equal(s.error, later);
    assert.equal(s.fatal, true);
    assert.equal(s.ticking, false);
  });

  it("stopped (closing): a failure is kept but no timer starts", () => {
    const s = new FailureState(() => assert.fail("no retry after stop"), 1);
    s.stop();
    const e = err("ENOSPC");
    s.set(e);
    assert.equal(s.error, e);
    assert.equal(s.retrying, true);
    assert.equal(s.ticking, false);
    assert.equal(s.clear(), true); // the closing writer's last try went through
    assert.equal(s.error, null);
  });

  it("stop() ends a running retry timer", async () => {
    let tries = 0;
    const s = new FailureState(() => tries++, 1);
    s.set(err("ENOSPC"));
    await until(() => tries >= 1);
    s.stop();
    assert.equal(s.ticking, false);
    const after = tries;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(tries, after);
  });
});
