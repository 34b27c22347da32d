import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { basename, dirname, joinPath } from "../../src/fs/path.ts";

describe("path helpers", () => {
  it("joinPath joins with single slashes and keeps a leading slash", () => {
    assert.equal(joinPath("/data/", "shard-0", "aof.1"), "/data/shard-0/aof.1");
    assert.equal(joinPath("a", "", "b/"), "a/b");
    assert.equal(joinPath("/"), "/");
    assert.equal(joinPath(), ".");
  });
  it("dirname returns the parent", () => {
    assert.equal(dirname("/data/shard-0/aof.1"), "/data/shard-0");
    assert.equal(dirname("/data/"), "/");
    assert.equal(dirname("aof.1"), ".");
    assert.equal(dirname("/"), "/");
  });
  it("basename returns the last segment", () => {
    assert.equal(basename("/data/shard-0/aof.1"), "aof.1");
    assert.equal(basename("/data/"), "data");
    assert.equal(basename("x"), "x");
  });
});
