// Issue 11, item 12: the live-Redis helper's runs are deterministic. A command that exits
// without reading its stdin (redis-cli whose server is not up yet) made the `before` hook
// fail now and then with `write EPIPE`; now that is an exit code, every time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { run } from "./_redis_server.ts";

describe("the redis test helper's run()", () => {
  it("a command that exits without reading a large input resolves with its exit code", async () => {
    // 4 MiB is far more than a pipe holds: the write is still going when `true` exits.
    for (let i = 0; i < 5; i++) {
      const r = await run("true", [], new Uint8Array(4 << 20));
      assert.equal(r.code, 0);
    }
  });

  it("a command given no input gets an empty stdin and its output", async () => {
    const r = await run("cat", []);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 0);
  });
});
