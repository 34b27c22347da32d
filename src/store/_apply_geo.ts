/**
 * Geo commands on sorted sets (scores are 52-bit geohashes): GEOADD, GEOPOS,
 * GEODIST, GEOHASH, GEORADIUS(_RO), GEORADIUSBYMEMBER(_RO), GEOSEARCH,
 * GEOSEARCHSTORE. Searches scan the same nine geohash boxes as Redis, in
 * its order, so even unsorted replies come back in Redis's order. Redis logs
 * GEOADD as the ZADD it becomes, and a storing search as given.
 *
 * @module
 */

import {
  argF64,
  argI64,
  type Ctx,
  fail,
  getZset,
  type Reply,
  SYNTAX,
  upper,
} from "./_apply_common.ts";
import type { CommandSpec, KeySpec, LogFn } from "./_command.ts";
import { zadd } from "./_apply_zset.ts";
import { asciiBytes } from "./_num.ts";
import { storeZset } from "./_apply_zrange.ts";
import {
  decodeScore,
  distance,
  fixedExact,
  geohashString,
  LAT_MAX,
  LAT_MIN,
  LON_MAX,
  LON_MIN,
  scoreOf,
  searchRanges,
  type Shape,
  within,
} from "./_geo.ts";
import type { SortedSet } from "./zset.ts";

const te = new TextEncoder();
const bulk = (s: string): Uint8Array => te.encode(s);

/** `%.17Lf` with trailing zeros removed (Redis's "human" long double). */
function human(x: number): Uint8Array {
  let s = fixedExact(x, 17);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return bulk(s === "-0" ? "0" : s);
}

/** Redis's fixedpoint_d2string(d, 4): llrint(d * 10000), then 4 decimals. */
function dist4(d: number): Uint8Array {
  if (d === 0) return bulk("0.0000");
  const scaled = d * 10000;
  let r = Math.round(scaled);
  if (Math.abs(scaled % 1) === 0.5 && r % 2 !== 0) r -= 1; // rint: ties to even
  const neg = r < 0;
  const digits = String(Math.abs(r)).padStart(5, "0");
  return bulk(`${neg ? "-" : ""}${digits.slice(0, -4)}.${digits.slice(-4)}`);
}

function lonLat(a: Uint8Array[], i: number): [number, number] {
  const lon = argF64(a[i]!), lat = argF64(a[i + 1]!);
  if (lon < LON_MIN || lon > LON_MAX || lat < LAT_MIN || lat > LAT_MAX) {
    // Redis formats "%f,%f\r\n" and turns the CR LF into spaces.
    fail(`ERR invalid longitude,latitude pair ${fixedExact(lon, 6)},${fixedExact(lat, 6)}  `);
  }
  return [lon, lat];
}

function unit(b: Uint8Array): number {
  const u = upper(b);
  if (u === "M") return 1;
  if (u === "KM") return 1000;
  if (u === "FT") return 0.3048;
  if (u === "MI") return 1609.34;
  return fail("ERR unsupported unit provided. please use M, KM, FT, MI");
}

function radiusArgs(a: Uint8Array[], i: number): { radius: number; conversion: number } {
  const radius = argF64(a[i]!, "ERR need numeric radius");
  if (radius < 0) fail("ERR radius cannot be negative");
  return { radius, conversion: unit(a[i + 1]!) };
}

function geoadd(c: Ctx, a: Uint8Array[]): Reply {
  let nx = false, xx = false, at = 2;
  for (; at < a.length; at++) {
    const o = upper(a[at]!);
    if (o === "NX") nx = true;
    else if (o === "XX") xx = true;
    else if (o !== "CH") break;
  }
  if ((a.length - at) % 3 !== 0 || (nx && xx)) fail(SYNTAX);
  const z: Uint8Array[] = [bulk("zadd"), ...a.slice(1, at)];
  for (let i = at; i < a.length; i += 3) {
    const [lon, lat] = lonLat(a, i);
    z.push(bulk(String(scoreOf(lon, lat))), a[i + 2]!);
  }
  return zadd(c, z);
}

function positionOf(z: SortedSet | null, m: Uint8Array): [number, number] | null {
  const s = z?.score(m);
  return s === undefined ? null : decodeScore(s);
}

/** A search's flags (what georadiusGeneric distinguishes). */
interface Kind {
  coords?: boolean;
  member?: boolean;
  noStore?: boolean;
  search?: boolean;
  searchStore?: boolean;
}

function search(c: Ctx, a: Uint8Array[], k: Kind): Reply {
  const srcAt = k.searchStore ? 2 : 1;
  const z = getZset(c.store, a[srcAt]!);
  let base: number;
  const shape: Partial<Shape> = {};
  let storeKey: Uint8Array | null = null, storeDist = false;
  if (k.coords) {
    base = 6;
    [shape.lon, shape.lat] = lonLat(a, 2);
    Object.assign(shape, radiusArgs(a, 4));
  } else if (k.member) {
    base = 5;
    if (z !== null) {
      const xy = positionOf(z, a[2]!);
      if (xy === null) fail("ERR could not decode requested zset member");
      [shape.lon, shape.lat] = xy;
      Object.assign(shape, radiusArgs(a, 3));
    }
  } else {
    base = k.searchStore ? 3 : 2;
    if (k.searchStore) storeKey = a[1]!;
  }
  let withDist = false, withHash = false, withCoord = false, any = false;
  let fromMember = false, fromLoc = false, byRadius = false, byBox = false;
  let sort: "none" | "asc" | "desc" = "none";
  let count = 0;
  for (let i = base; i < a.length; i++) {
    const o = upper(a[i]!);
    const left = a.length - i - 1;
    if (o === "WITHDIST") withDist = true;
    else if (o === "WITHHASH") withHash = true;
    else if (o === "WITHCOORD") withCoord = true;
    else if (o === "ANY") any = true;
    else if (o === "ASC") sort = "asc";
    else if (o === "DESC") sort = "desc";
    else if (o === "COUNT" && left >= 1) {
      count = Number(argI64(a[++i]!));
      if (count <= 0) fail("ERR COUNT must be > 0");
    } else if ((o === "STORE" || o === "STOREDIST") && left >= 1 && !k.noStore && !k.search) {
      storeKey = a[++i]!;
      storeDist = o === "STOREDIST";
    } else if (o === "STOREDIST" && k.searchStore) storeDist = true;
    else if (o === "FROMMEMBER" && left >= 1 && k.search && !fromLoc) {
      fromMember = true;
      i++;
      if (z === null) continue;
      const xy = positionOf(z, a[i]!);
      if (xy === null) fail("ERR could not decode requested zset member");
      [shape.lon, shape.lat] = xy;
    } else if (o === "FROMLONLAT" && left >= 2 && k.search && !fromMember) {
      [shape.lon, shape.lat] = lonLat(a, i + 1);
      fromLoc = true;
      i += 2;
    } else if (o === "BYRADIUS" && left >= 2 && k.search && !byBox) {
      Object.assign(shape, radiusArgs(a, i + 1));
      byRadius = true;
      i += 2;
    } else if (o === "BYBOX" && left >= 3 && k.search && !byRadius) {
      const w = argF64(a[i + 1]!, "ERR need numeric width");
      const h = argF64(a[i + 2]!, "ERR need numeric height");
      if (h < 0 || w < 0) fail("ERR height or width cannot be negative");
      Object.assign(shape, { width: w, height: h, conversion: unit(a[i + 3]!) });
      byBox = true;
      i += 3;
    } else fail(SYNTAX);
  }
  if (storeKey !== null && (withDist || withHash || withCoord)) {
    const what = k.searchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    fail(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = new TextDecoder().decode(a[0]!);
  if (k.search && !(fromMember || fromLoc)) {
    fail(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  }
  if (k.search && !(byRadius || byBox)) {
    fail(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  }
  if (any && count === 0) fail("ERR the ANY argument requires COUNT argument");
  if (z === null) {
    if (storeKey === null) return [];
    c.store.delete(storeKey);
    return 0;
  }
  if (count !== 0 && sort === "none" && !any) sort = "asc";
  const s = shape as Shape;
  const limit = any ? count : 0;
  const found: Array<{ m: Uint8Array; score: number; dist: number; xy: [number, number] }> = [];
  boxes: for (const [min, max] of searchRanges(s)) {
    if (limit && found.length >= limit) break;
    for (const [m, score] of z.rangeByScore({ value: min, ex: false }, { value: max, ex: true })) {
      const xy = decodeScore(score);
      const d = xy === null ? null : within(s, xy[0], xy[1]);
      if (d !== null) found.push({ m, score, dist: d, xy: xy! });
      if (limit && found.length >= limit) break boxes;
    }
  }
  if (found.length === 0 && storeKey === null) return [];
  if (sort !== "none") {
    found.sort((x, y) =>
      (x.dist > y.dist ? 1 : x.dist === y.dist ? 0 : -1) * (sort === "asc" ? 1 : -1)
    );
  }
  const picked = count === 0 ? found : found.slice(0, count);
  if (storeKey !== null) {
    return storeZset(
      c,
      storeKey,
      picked.map((p) => [p.m, storeDist ? p.dist / s.conversion : p.score]),
    );
  }
  const extra = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
  return picked.map((p): Reply => {
    if (extra === 0) return p.m;
    const row: Reply[] = [p.m];
    if (withDist) row.push(dist4(p.dist / s.conversion));
    if (withHash) row.push(Math.trunc(p.score));
    if (withCoord) row.push([human(p.xy[0]), human(p.xy[1])]);
    return row;
  });
}

/** Keys of GEORADIUS*: the source, and the STORE/STOREDIST key. */
function radiusKeys(argv: ReadonlyArray<Uint8Array>): number[] {
  const out = [1];
  for (let i = 2; i < argv.length - 1; i++) {
    const o = upper(argv[i]!);
    if (o === "STORE" || o === "STOREDIST") out.push(i + 1);
  }
  return out;
}

/** A storing search logs its destination's state. */
const logStore: LogFn = (x) => {
  const ks = radiusKeys(x.argv);
  return ks.length > 1 ? x.image(x.argv[ks[ks.length - 1]!]!) : [];
};

const K1: KeySpec = [{ first: 1, last: 1, step: 1 }];
const radius = (name: string, k: Kind, arity: number): CommandSpec => ({
  name,
  arity,
  flags: k.noStore ? "readonly" : "write denyoom",
  keys: k.noStore ? K1 : [radiusKeys],
  ...(k.noStore ? {} : { log: logStore }),
  fn: (c, a) => search(c, a, k),
});

/** Geo command rows. */
export const GEO_COMMANDS: CommandSpec[] = [
  { name: "geoadd", arity: -5, flags: "write denyoom", keys: K1, fn: geoadd },
  {
    name: "geopos",
    arity: -2,
    flags: "readonly",
    keys: K1,
    fn: (c, a) => {
      const z = getZset(c.store, a[1]!);
      return a.slice(2).map((m): Reply => {
        const xy = positionOf(z, m);
        return xy === null ? null : [human(xy[0]), human(xy[1])];
      });
    },
  },
  {
    name: "geodist",
    arity: -4,
    flags: "readonly",
    keys: K1,
    fn: (c, a) => {
      let toMeter = 1;
      if (a.length === 5) toMeter = unit(a[4]!);
      else if (a.length > 5) fail(SYNTAX);
      const z = getZset(c.store, a[1]!);
      if (z === null) return null;
      const p = positionOf(z, a[2]!), q = positionOf(z, a[3]!);
      if (p === null || q === null) return null;
      return dist4(distance(p[0], p[1], q[0], q[1]) / toMeter);
    },
  },
  {
    name: "geohash",
    arity: -2,
    flags: "readonly",
    keys: K1,
    fn: (c, a) => {
      const z = getZset(c.store, a[1]!);
      return a.slice(2).map((m) => {
        const s = z?.score(m);
        const h = s === undefined ? null : geohashString(s);
        return h === null ? null : asciiBytes(h);
      });
    },
  },
  radius("georadius", { coords: true }, -6),
  radius("georadius_ro", { coords: true, noStore: true }, -6),
  radius("georadiusbymember", { member: true }, -5),
  radius("georadiusbymember_ro", { member: true, noStore: true }, -5),
  {
    name: "geosearch",
    arity: -7,
    flags: "readonly",
    keys: K1,
    fn: (c, a) => search(c, a, { search: true }),
  },
  {
    name: "geosearchstore",
    arity: -8,
    flags: "write denyoom",
    keys: [{ first: 1, last: 2, step: 1 }],
    log: (x) => x.image(x.argv[1]!),
    fn: (c, a) => search(c, a, { search: true, searchStore: true }),
  },
];
