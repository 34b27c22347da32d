// Hash-field TTLs through the CLI: dump shows them (field_ttls, the vectors'
// layout), convert keeps them in every output kind (a v6 snapshot, AOFs with
// HPEXPIREAT ... FIELDS 1 f), and --now judges them like key deadlines.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { cli } from "./_cli.ts";
import { fixturePath, readFixtureJson, tempDir } from "../_helpers.ts";
import { decodeEntries } from "../../src/codec/snapshot.ts";

const W = "1796083200000";
const v5 = (p: string) => fixturePath(`vectors-v5/snapshot/${p}.rdb`);
type Key = { key: string; value: unknown; field_ttls?: Array<[string, number]> };
const want = (n: string) =>
  readFixtureJson<{ keyspace: Key[] }>(`vectors-v5/snapshot/${n}.expected.json`).keyspace;
const lines = (out: string): Key[] =>
  out.trim() === "" ? [] : out.trim().split("\n").map((l) => JSON.parse(l));

describe("kevy-persist and hash-field TTLs", () => {
  for (const name of ["v6_hash_field_ttl", "v6_with_cursor", "v6_unreaped_due_fields"]) {
    it(`dump --now ${W} ${name} gives the vector's keyspace, field TTLs included`, async () => {
      const r = await cli(["dump", v5(name), "--now", W]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(lines(r.out), want(name));
    });
  }

  it("dump --now judges field deadlines: a field due by then is left out, its hash with its last field", async () => {
    const r = await cli(["dump", v5("v6_hash_field_ttl"), "--now", "4102444800050"]);
    assert.equal(r.code, 0, r.err);
    const got = lines(r.out);
    const hfa = got.find((k) => k.key === "68663a61"); // hf:a: f1 was due at ...001, f3 is later
    assert.deepEqual(hfa?.value, [["6632", "7632"], ["6633", "7633"]]);
    assert.deepEqual(hfa?.field_ttls, [["6633", 7258118400000]]);
    for (const k of got) {
      for (const [, d] of k.field_ttls ?? []) assert.ok(d > 4102444800050, `${k.key}: ${d}`);
    }
    // hf:all (x, y due at ...050) and hf:bin (every field at ...007) went with their last field.
    for (const gone of ["68663a616c6c", "68663a62696e"]) {
      assert.ok(want("v6_hash_field_ttl").some((k) => k.key === gone), gone);
      assert.equal(got.find((k) => k.key === gone), undefined, gone);
    }
  });

  for (
    const [to, fmt] of [["snapshot", null], ["aof", "1"], ["aof", "2"]] as const
  ) {
    it(`convert --to ${to}${fmt ? ` --aof-format ${fmt}` : ""} keeps the field TTLs`, async () => {
      const dir = tempDir();
      const dst = join(dir, to === "snapshot" ? "dump-0.rdb" : "out.aof");
      const r = await cli([
        "convert",
        v5("v6_hash_field_ttl"),
        dst,
        "--to",
        to,
        ...(fmt ? ["--aof-format", fmt] : []),
      ]);
      assert.equal(r.code, 0, r.err);
      const bytes = new Uint8Array(readFileSync(dst));
      if (to === "snapshot") assert.equal(decodeEntries(bytes, { now: Number(W) }).version, 6);
      else assert.ok(new TextDecoder().decode(bytes).includes("HPEXPIREAT"));
      const back = await cli(["dump", dst, "--now", W]);
      assert.equal(back.code, 0, back.err);
      assert.deepEqual(lines(back.out), want("v6_hash_field_ttl"));
    });
  }
});
