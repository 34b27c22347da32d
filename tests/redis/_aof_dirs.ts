// Builds throw-away Redis 7 AOF directories from fixture bytes.
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, readFixture, tempDir } from "../_helpers.ts";

/** The torn-tail samples: clean.incr.aof plus damage. */
export const TORN = "redis/aof-torn";

/**
 * A directory holding `appendonly.aof.manifest`, an empty base and the given
 * incr files (`appendonly.aof.<n>.incr.aof`, n = 1, 2, ...). Returns its path.
 */
export function aofDir(incrs: Uint8Array[], base: Uint8Array = new Uint8Array(0)): string {
  const dir = tempDir("kevy-redis-aof-");
  const lines = ["file appendonly.aof.1.base.aof seq 1 type b"];
  writeFileSync(join(dir, "appendonly.aof.1.base.aof"), base);
  incrs.forEach((b, i) => {
    const name = `appendonly.aof.${i + 1}.incr.aof`;
    writeFileSync(join(dir, name), b);
    lines.push(`file ${name} seq ${i + 1} type i`);
  });
  writeFileSync(join(dir, "appendonly.aof.manifest"), lines.join("\n") + "\n");
  return dir;
}

/** A copy of a torn variant placed beside the manifest and empty base, as the fixture README says. */
export function tornDir(variant: string): string {
  const dir = tempDir("kevy-redis-torn-");
  for (const f of ["appendonly.aof.manifest", "appendonly.aof.1.base.aof"]) {
    copyFileSync(fixturePath(`${TORN}/${f}`), join(dir, f));
  }
  copyFileSync(fixturePath(`${TORN}/${variant}.incr.aof`), join(dir, "appendonly.aof.1.incr.aof"));
  return dir;
}

/** Bytes of a torn-set file. */
export function tornBytes(variant: string): Uint8Array {
  return readFixture(`${TORN}/${variant}.incr.aof`);
}

/** Concatenation of byte arrays. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** argv as text, for readable assertions. */
export function text(argv: Uint8Array[]): string {
  return argv.map((a) => new TextDecoder().decode(a)).join(" ");
}
