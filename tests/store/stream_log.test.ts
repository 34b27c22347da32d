// What stream commands log (their command-table rows): frames that rebuild
// the same streams under any clock, never `*` ids or `~` trims, and that are
// safe to cut between frames (a crash tears a log there).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../_helpers.ts";
import { Store } from "../../src/store/store.ts";
import { applyCommand } from "../../src/store/apply.ts";
import { commandFrames, type Frame, lookupCommand } from "../../src/store/commands.ts";
import { image } from "../../src/embedded/_propagate.ts";
import { dumpKeyspace } from "../../src/store/dump.ts";

const T0 = 1_700_000_000_000;
const dec = new TextDecoder();

/** Runs `argv` on `store` and returns what it logs. */
function logged(store: Store, argv: string[]): Frame[] {
  const a = argv.map(utf8);
  const cmd = lookupCommand(a[0]!)!;
  const pre = cmd.pre?.(a, store);
  const r = applyCommand(store, a);
  assert.ok(r.ok, `${argv.join(" ")}: ${!r.ok && r.error}`);
  return cmd.write ? commandFrames(cmd, a, r.reply, store, pre, image) : [];
}

const text = (fs: Frame[]) => fs.map((f) => f.map((x) => dec.decode(x)).join(" "));

/** Every group's last id and pending ids, and the entry ids, of stream `k`. */
function groupsOf(
  s: Store,
  k: string,
): { entries: string[]; groups: Array<{ last: string; pel: string[] }> } {
  const e = s.getEntry(utf8(k));
  if (e === null || e.value.type !== "stream") return { entries: [], groups: [] };
  const v = e.value.value;
  return {
    entries: v.entries.map((x) => `${x.id.ms}-${x.id.seq}`),
    groups: v.groups.map((g) => ({
      last: `${g.lastDelivered.ms}-${g.lastDelivered.seq}`,
      pel: g.pel.map((p) => `${p.id.ms}-${p.id.seq}`),
    })),
  };
}

describe("stream log frames", () => {
  it("name the ids and trims that happened, and replay to the same keyspace an hour earlier", () => {
    let t = T0;
    const live = new Store({ now: () => t });
    const log: Frame[] = [];
    const run = (...a: string[]) => log.push(...logged(live, a));
    for (let i = 0; i < 230; i++) {
      if (i % 40 === 0) t += 5;
      run("XADD", "s", "MAXLEN", "~", "150", "*", "n", String(i));
    }
    run("XTRIM", "s", "MINID", "~", `${T0 + 15}-0`);
    run("XGROUP", "CREATE", "s", "g", "0");
    run("XREADGROUP", "GROUP", "g", "a", "COUNT", "30", "STREAMS", "s", ">");
    t += 1000;
    run("XREADGROUP", "GROUP", "g", "b", "COUNT", "5", "NOACK", "STREAMS", "s", ">");
    run("XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", "0");
    run("XDEL", "s", `${T0 + 10}-20`);
    run("XCLAIM", "s", "g", "c", "10", `${T0 + 10}-21`, `${T0 + 10}-20`, "LASTID", `${T0 + 20}-5`);
    run("XAUTOCLAIM", "s", "g", "d", "0", "0", "COUNT", "4");
    run("XREADGROUP", "GROUP", "g", "new", "STREAMS", "s", "9-9");
    const lines = text(log);
    assert.ok(lines.every((l) => !/ (\*|~|LIMIT) /.test(l)), "no *, ~ or LIMIT in the log");
    assert.ok(lines.some((l) => l.startsWith("XGROUP SETID s g ")));
    assert.ok(lines.some((l) => l === "XGROUP CREATECONSUMER s g new"));
    const back = new Store({ now: () => T0 - 3_600_000 });
    for (const f of log) assert.ok(applyCommand(back, f).ok, text([f])[0]);
    const seen0 = (s: Store) =>
      JSON.stringify(
        dumpKeyspace(s),
        (k, v) => (k === "consumers" ? v.map((c: unknown[]) => [c[0], 0]) : v),
      );
    assert.equal(seen0(back), seen0(live));
  });

  it("a delivery cut anywhere in its frames loses no entry: what the group passed is pending", () => {
    const s = new Store({ now: () => T0 });
    for (let i = 1; i <= 6; i++) logged(s, ["XADD", "s", `${i}-0`, "n", String(i)]);
    logged(s, ["XGROUP", "CREATE", "s", "g", "0"]);
    const frames = logged(s, ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    assert.ok(frames.length >= 7, text(frames).join("\n"));
    for (let k = 0; k <= frames.length; k++) {
      const cut = new Store({ now: () => T0 });
      // The state before the read, then a prefix of its frames.
      for (
        const f of [
          ...Array.from(
            { length: 6 },
            (_, i) => ["XADD", "s", `${i + 1}-0`, "n", String(i + 1)].map(utf8),
          ),
          ["XGROUP", "CREATE", "s", "g", "0"].map(utf8),
          ...frames.slice(0, k),
        ]
      ) assert.ok(applyCommand(cut, f).ok);
      const g = groupsOf(cut, "s").groups[0]!;
      const passed = groupsOf(cut, "s").entries.filter((id) =>
        Number(id.split("-")[0]) <= Number(g.last.split("-")[0])
      );
      for (const id of passed) {
        assert.ok(g.pel.includes(id), `prefix ${k}: ${id} passed but not pending`);
      }
    }
  });
});
