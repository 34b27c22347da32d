// One vocabulary for options across every API: the same idea has the same
// name and unit everywhere (`now` for the clock, `fs` for the filesystem,
// `chunkBytes` for a read or write size, durations in `...Ms`), and an
// optional option says what happens without it. Old names may stay only as
// `@deprecated` aliases. Reads every `export interface *Options` in src/.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** One property of an exported options interface. */
interface Prop {
  where: string; // file:line
  owner: string;
  name: string;
  optional: boolean;
  type: string;
  doc: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/** The top-level properties of every `export interface XOptions { ... }` of `file`. */
export function optionProps(file: string, text: string): Prop[] {
  const lines = text.split("\n");
  const props: Prop[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^export interface (\w+Options)\b.*\{\s*$/.exec(lines[i]!);
    if (head === null) continue;
    let doc = "";
    let inDoc = false;
    for (let j = i + 1; j < lines.length && lines[j] !== "}"; j++) {
      const line = lines[j]!;
      if (/^ {2}\/\*\*/.test(line)) {
        inDoc = !line.includes("*/");
        doc = line;
        continue;
      }
      if (inDoc) {
        doc += "\n" + line;
        if (line.includes("*/")) inDoc = false;
        continue;
      }
      const m = /^ {2}(?:readonly )?(\w+)(\??):\s*(.*)$/.exec(line);
      if (m === null) continue;
      props.push({
        where: `${file}:${j + 1}`,
        owner: head[1]!,
        name: m[1]!,
        optional: m[2] === "?",
        type: m[3]!,
        doc,
      });
      doc = "";
    }
  }
  return props;
}

// The public ones: named in an entry point (mod.ts, src/<layer>/mod.ts).
const entryPoints = ["mod.ts", ...readdirSync("src").map((d) => join("src", d, "mod.ts"))]
  .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
const publicNames = new Set(
  entryPoints.flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/\b(\w+Options)\b/g)].map((m) => m[1]!)
  ),
);
const all: Prop[] = sourceFiles("src")
  .flatMap((f) => optionProps(f, readFileSync(f, "utf8")))
  .filter((p) => publicNames.has(p.owner));
const live = all.filter((p) => !p.doc.includes("@deprecated"));
const show = (ps: Prop[]) => ps.map((p) => `${p.where} ${p.owner}.${p.name}`).join("\n");

describe("option names", () => {
  it("finds the options interfaces (the scan works)", () => {
    const owners = new Set(all.map((p) => p.owner));
    for (const o of ["OpenStoreOptions", "AofOptions", "MigrateOptions", "SnapshotEncodeOptions"]) {
      assert.ok(owners.has(o), o);
    }
    assert.ok(all.length > 100, `${all.length} properties`);
  });
  it("the clock is `now`", () => {
    const bad = live.filter((p) => /^(clock|time|getTime|nowMs|currentTime)$/.test(p.name));
    assert.equal(show(bad), "", "rename to `now` (keep the old name as a @deprecated alias)");
  });
  it("the filesystem adapter is `fs`", () => {
    const bad = live.filter((p) => /\bFsAdapter\b/.test(p.type) && p.name !== "fs");
    assert.equal(show(bad), "");
  });
  it("a read or write size in bytes is `chunkBytes`", () => {
    const bad = live.filter((p) =>
      /^(chunk|chunkSize|chunkLength|readSize|bufferBytes)$/.test(p.name)
    );
    assert.equal(show(bad), "", "rename to `chunkBytes`");
  });
  it("a duration's name ends in Ms", () => {
    const bad = live.filter((p) =>
      /(Timeout|Interval|Delay|Poll|Wait|Backoff)$/i.test(p.name) && p.type.startsWith("number")
    );
    assert.equal(show(bad), "", "durations are milliseconds, named ...Ms");
  });
  it("an optional option documents its default (or what leaving it out means)", () => {
    // Callbacks (absent: not called), boolean flags (absent: false) and abort signals (absent:
    // not abortable) say it by their kind.
    const bad = live.filter((p) =>
      p.optional && !/^on[A-Z]/.test(p.name) && !/^(boolean|true|AbortSignal)\b/.test(p.type) &&
      !/default|without|absent|omitted|unset|none|not given/i.test(p.doc)
    );
    assert.equal(show(bad), "");
  });
  it("a deprecated name points to its replacement", () => {
    const old = all.filter((p) => p.doc.includes("@deprecated"));
    for (const p of old) {
      const to = /@deprecated Use `(\w+)`/.exec(p.doc)?.[1];
      assert.ok(to !== undefined, `${p.where}: @deprecated Use \`newName\`...`);
      assert.ok(all.some((q) => q.owner === p.owner && q.name === to), `${p.where}: ${to} exists`);
    }
  });
});
