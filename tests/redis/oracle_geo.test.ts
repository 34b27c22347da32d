// Geo commands against a live redis-server: GEOADD's scores, GEOPOS, GEODIST,
// GEOHASH, and searches (GEORADIUS*, GEOSEARCH, GEOSEARCHSTORE, STORE and
// STOREDIST) with the same members in the same order; Redis's AOF (GEOADD as
// ZADD, storing searches as given) replays to what Redis holds.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Cmd, Oracle, oracleSkip } from "./_oracle.ts";
import { evalOf, Gen, multi } from "./_gen.ts";

const skip = oracleSkip("tests/redis/oracle_geo.test.ts");
const PLACES = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"];

function lon(g: Gen): string {
  return g.chance(0.05)
    ? g.pick(["181", "-180", "180", "x"])
    : (g.r() * 40 - 20 + 13).toFixed(g.int(1, 8));
}
function lat(g: Gen): string {
  return g.chance(0.05)
    ? g.pick(["85.06", "-85.05112878", "90", "x"])
    : (g.r() * 30 + 35).toFixed(g.int(1, 8));
}
function unit(g: Gen): string {
  return g.pick(["m", "km", "mi", "ft", "KM", "yd"]);
}
function opts(g: Gen, c: Cmd): Cmd {
  for (const o of ["WITHDIST", "WITHHASH", "WITHCOORD", "ASC", "DESC"]) {
    if (g.chance(0.25)) c.push(o);
  }
  if (g.chance(0.4)) c.push("COUNT", String(g.int(1, 4)), ...(g.chance(0.3) ? ["ANY"] : []));
  return c;
}

function geoCmd(g: Gen): Cmd {
  const k = g.pick(["geo", "geo", "geo2"]);
  const radius = () => String(g.chance(0.1) ? -1 : g.int(1, 900));
  switch (g.int(0, 8)) {
    case 0:
    case 1:
      return [
        "GEOADD",
        k,
        ...(g.chance(0.2) ? [g.pick(["NX", "XX", "CH"])] : []),
        ...g.many(g.int(1, 3), () => [lon(g), lat(g), g.pick(PLACES)]).flat(),
      ];
    case 2:
      return ["GEOPOS", k, g.pick(PLACES), g.pick(PLACES)];
    case 3:
      return ["GEODIST", k, g.pick(PLACES), g.pick(PLACES), ...(g.chance(0.5) ? [unit(g)] : [])];
    case 4:
      return ["GEOHASH", k, g.pick(PLACES)];
    case 5:
      return opts(g, ["GEORADIUS", k, lon(g), lat(g), radius(), unit(g)]);
    case 6:
      return opts(g, ["GEORADIUSBYMEMBER_RO", k, g.pick(PLACES), radius(), unit(g)]);
    case 7: {
      const from = g.chance(0.5) ? ["FROMMEMBER", g.pick(PLACES)] : ["FROMLONLAT", lon(g), lat(g)];
      const by = g.chance(0.5)
        ? ["BYRADIUS", radius(), unit(g)]
        : ["BYBOX", radius(), radius(), unit(g)];
      return opts(g, ["GEOSEARCH", k, ...from, ...by]);
    }
    default: {
      const store = g.chance(0.5)
        ? ["GEOSEARCHSTORE", "dst", k, "FROMMEMBER", g.pick(PLACES), "BYRADIUS", radius(), unit(g)]
        : [
          "GEORADIUS",
          k,
          lon(g),
          lat(g),
          radius(),
          unit(g),
          g.pick(["STORE", "STOREDIST"]),
          "dst",
        ];
      if (g.chance(0.4)) store.push("COUNT", String(g.int(1, 3)));
      if (store[0] === "GEOSEARCHSTORE" && g.chance(0.5)) store.push("STOREDIST");
      return store;
    }
  }
}

describe("oracle: geo", { skip }, () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start();
    // STOREDIST scores are distances: Math.sin/cos/asin may differ from glibc's in the last bit.
    o.approxScores = true;
  });
  after(async () => {
    await o?.stop();
  });

  it("random GEO* commands: same replies (members, order, distances, coordinates) and keyspace", {
    timeout: 120_000,
  }, async () => {
    for (let seed = 1; seed <= 6; seed++) {
      await o.reset();
      const g = new Gen(600 + seed);
      assert.deepEqual(await o.both(g.many(300, () => geoCmd(g))), [], `seed ${seed}`);
      await o.assertLiveEqual(`seed ${seed}`);
    }
  });

  it(
    "its AOF (GEOADD as ZADD, GEORADIUS ... STORE, GEOSEARCHSTORE, MULTI/EXEC, EVAL) replays exactly",
    { timeout: 120_000 },
    async () => {
      await o.reset();
      await o.redis([
        [
          "GEOADD",
          "sicily",
          "13.361389",
          "38.115556",
          "Palermo",
          "15.087269",
          "37.502669",
          "Catania",
        ],
        [
          "GEOADD",
          "sicily",
          "CH",
          "12.758489",
          "38.788135",
          "edge1",
          "17.241510",
          "38.788135",
          "edge2",
        ],
        ["GEORADIUS", "sicily", "15", "37", "200", "km", "STOREDIST", "near"],
        [
          "GEOSEARCHSTORE",
          "box",
          "sicily",
          "FROMLONLAT",
          "15",
          "37",
          "BYBOX",
          "400",
          "400",
          "km",
          "STOREDIST",
        ],
        ["PEXPIRE", "near", "600000"],
        ...multi([["GEOADD", "m", "0", "0", "origin"], [
          "GEORADIUSBYMEMBER",
          "sicily",
          "Palermo",
          "300",
          "km",
          "STORE",
          "m2",
        ]]),
        evalOf([["GEOADD", "lua", "1", "1", "x"], [
          "GEOSEARCHSTORE",
          "lua2",
          "lua",
          "FROMMEMBER",
          "x",
          "BYRADIUS",
          "10",
          "km",
        ]]),
        ["SELECT", "4"],
        ["GEOADD", "g4", "100", "10", "far"],
        ["SELECT", "0"],
      ]);
      const r = await o.assertAofReplayEqual("geo");
      assert.equal(r.errors, 0);
    },
  );
});
