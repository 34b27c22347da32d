// The migration's key encodings: a string record written straight from byte
// ranges is byte for byte the entry path's SET frame; every job encodes
// frames a RESP parser reads back; slots of byte ranges equal keyHashSlot.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../_helpers.ts";
import { ByteWriter } from "../../src/codec/bytes.ts";
import { parseFrame } from "../../src/codec/resp.ts";
import type { Entry } from "../../src/codec/types.ts";
import { commandJob, writeStringRecord } from "../../src/redis/_migrate_encode.ts";
import { restoreEncoder } from "../../src/redis/_payload.ts";
import { keyHashSlot, keyHashSlotAt } from "../../src/shard/routing.ts";
import { ALL_BYTES } from "./_sample_store.ts";
import { migrationEntries } from "./_migrate_data.ts";

const NOW = 1_796_000_000_000;

describe("migration encodings", () => {
  it("a hash with field TTLs goes as commands (HPEXPIREAT) below RDB 12, as RESTORE from 12", () => {
    const entry: Entry = {
      key: utf8("h"),
      value: {
        type: "hash",
        value: [[utf8("f"), utf8("1")], [utf8("g"), utf8("2")]],
        fieldDeadlines: [4102444800000, null],
      },
      deadline: null,
    };
    const verbs = (v: number) => {
      const w = new ByteWriter(256);
      restoreEncoder(v).encode(entry, true, w);
      const out: string[] = [];
      const b = w.bytes();
      for (let at = 0; at < b.length;) {
        const r = parseFrame(b, at);
        if (r.kind !== "frame") throw new Error(r.kind);
        out.push(new TextDecoder().decode(r.argv[0]));
        at = r.end;
      }
      return out;
    };
    // Redis 7.0 (RDB 10) cannot hold them in a payload: the commands make the server refuse loudly.
    assert.ok(verbs(10).includes("HPEXPIREAT"), verbs(10).join(" "));
    assert.ok(!verbs(10).includes("RESTORE"));
    assert.deepEqual(verbs(12), ["RESTORE"]);
  });

  it("writeStringRecord == commandJob for strings: NX or not, TTL or not, any bytes and sizes", () => {
    const values = [new Uint8Array(0), utf8("v"), ALL_BYTES, new Uint8Array(70_000).fill(7)];
    const keys = [new Uint8Array([0]), utf8("k"), ALL_BYTES, utf8("{user:1}:name")];
    const deadlines = [null, 0, 9, 10, NOW, NOW + 0.7, 99_999_999_999_999];
    for (const key of keys) {
      for (const value of values) {
        for (const deadline of deadlines) {
          for (const replace of [false, true]) {
            const e: Entry = { key, value: { type: "string", value }, deadline };
            const a = new ByteWriter(16);
            commandJob(e, replace, a);
            const b = new ByteWriter(16);
            // Ranges inside bigger buffers, as in a store's arena.
            const kb = new Uint8Array([9, 9, ...key, 9]);
            const vb = new Uint8Array([8, ...value, 8, 8]);
            writeStringRecord(b, kb, 2, key.length, vb, 1, value.length, deadline, replace);
            assert.deepEqual(
              b.bytes(),
              a.bytes(),
              `key ${key.length}B value ${value.length}B deadline ${deadline} replace ${replace}`,
            );
          }
        }
      }
    }
  });

  it("every job of every kind is well-formed RESP with the count it says", () => {
    for (const e of migrationEntries(NOW, 50)) {
      for (const replace of [false, true]) {
        const w = new ByteWriter();
        const job = commandJob(e, replace, w);
        const bytes = w.bytes();
        let at = 0, frames = 0;
        while (at < bytes.length) {
          const f = parseFrame(bytes, at);
          assert.equal(f.kind, "frame");
          if (f.kind !== "frame") break;
          at = f.end;
          frames++;
        }
        assert.equal(frames, job.count);
        assert.equal(job.slot, keyHashSlot(e.key));
      }
    }
  });

  it("a hash with field TTLs: one HPEXPIREAT per timed field, once, between the HSET and the PEXPIREAT", () => {
    const e: Entry = {
      key: utf8("h"),
      value: {
        type: "hash",
        value: [[utf8("a"), utf8("1")], [utf8("b"), utf8("2")], [utf8("c"), utf8("3")]],
        fieldDeadlines: [NOW + 5, null, NOW + 7],
      },
      deadline: NOW + 9,
    };
    const w = new ByteWriter();
    commandJob(e, true, w);
    const bytes = w.bytes();
    const frames: string[][] = [];
    for (let at = 0; at < bytes.length;) {
      const f = parseFrame(bytes, at);
      if (f.kind !== "frame") throw new Error(`no frame at ${at}`);
      frames.push(f.argv.map((x) => new TextDecoder().decode(x)));
      at = f.end;
    }
    assert.deepEqual(frames, [
      ["DEL", "h"],
      ["HSET", "h", "a", "1", "b", "2", "c", "3"],
      ["HPEXPIREAT", "h", String(NOW + 5), "FIELDS", "1", "a"],
      ["HPEXPIREAT", "h", String(NOW + 7), "FIELDS", "1", "c"],
      ["PEXPIREAT", "h", String(NOW + 9)],
    ]);
  });

  it("keyHashSlotAt of a range == keyHashSlot of the key (hash tags included)", () => {
    const keys = [
      "",
      "a",
      "{",
      "}",
      "{}",
      "{}x",
      "x{}",
      "{a}",
      "b{a}c",
      "{a}{b}",
      "{{a}}",
      "user{42}:n",
      "\u00e9{t}",
    ];
    for (const k of keys) {
      const key = utf8(k);
      const buf = new Uint8Array([0x7b, ...key, 0x7d]);
      assert.equal(keyHashSlotAt(buf, 1, key.length), keyHashSlot(key), JSON.stringify(k));
    }
  });
});
