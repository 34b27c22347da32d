// Redis's geohash arithmetic (geohash.c, geohash_helper.c), for GEO*
// commands: 52-bit interleaved scores over lon [-180,180] x lat
// [-85.05112878,85.05112878], decoding to cell centres, haversine distances
// on a 6372797.560856 m sphere, and the nine search boxes a radius/box
// query scans, in the order Redis scans them (so unsorted replies match).

/** Latitude limits (EPSG:900913). */
export const LAT_MIN = -85.05112878, LAT_MAX = 85.05112878, LON_MIN = -180, LON_MAX = 180;
const STEP_MAX = 26;
const EARTH_RADIUS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;
const M64 = (1n << 64n) - 1n;

/** A geohash: its bits and how many bits per axis (step). */
export interface Hash {
  bits: bigint;
  step: number;
}

/** A decoded cell. */
interface Area {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

function spread(v: bigint): bigint {
  // Bit i of v goes to bit 2i.
  let x = v & 0xffffffffn;
  x = (x | (x << 16n)) & 0x0000ffff0000ffffn;
  x = (x | (x << 8n)) & 0x00ff00ff00ff00ffn;
  x = (x | (x << 4n)) & 0x0f0f0f0f0f0f0f0fn;
  x = (x | (x << 2n)) & 0x3333333333333333n;
  x = (x | (x << 1n)) & 0x5555555555555555n;
  return x;
}

function squash(v: bigint): bigint {
  // Bits 2i of v to bit i.
  let x = v & 0x5555555555555555n;
  x = (x | (x >> 1n)) & 0x3333333333333333n;
  x = (x | (x >> 2n)) & 0x0f0f0f0f0f0f0f0fn;
  x = (x | (x >> 4n)) & 0x00ff00ff00ff00ffn;
  x = (x | (x >> 8n)) & 0x0000ffff0000ffffn;
  x = (x | (x >> 16n)) & 0x00000000ffffffffn;
  return x;
}

/** Encodes lon/lat at `step` within the given ranges (latitude on even bits), or null outside. */
export function encode(
  lon: number,
  lat: number,
  step: number,
  latRange: [number, number] = [LAT_MIN, LAT_MAX],
  lonRange: [number, number] = [LON_MIN, LON_MAX],
): Hash | null {
  if (lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN) return null;
  if (lat < latRange[0] || lat > latRange[1] || lon < lonRange[0] || lon > lonRange[1]) return null;
  let latOff = (lat - latRange[0]) / (latRange[1] - latRange[0]);
  let lonOff = (lon - lonRange[0]) / (lonRange[1] - lonRange[0]);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  // C converts the doubles to uint32_t: truncation.
  const bits = spread(BigInt(Math.trunc(latOff) >>> 0)) |
    (spread(BigInt(Math.trunc(lonOff) >>> 0)) << 1n);
  return { bits, step };
}

function decode(h: Hash): Area | null {
  if (h.bits === 0n && h.step === 0) return null;
  const lat = Number(squash(h.bits)), lon = Number(squash(h.bits >> 1n));
  const scale = 2 ** h.step;
  const latScale = LAT_MAX - LAT_MIN, lonScale = LON_MAX - LON_MIN;
  return {
    latMin: LAT_MIN + (lat * 1.0 / scale) * latScale,
    latMax: LAT_MIN + ((lat + 1) * 1.0 / scale) * latScale,
    lonMin: LON_MIN + (lon * 1.0 / scale) * lonScale,
    lonMax: LON_MIN + ((lon + 1) * 1.0 / scale) * lonScale,
  };
}

/** The score (52-bit hash as a double) of a valid lon/lat, or null. */
export function scoreOf(lon: number, lat: number): number | null {
  const h = encode(lon, lat, STEP_MAX);
  return h === null ? null : Number(h.bits);
}

/** The centre [lon, lat] of the cell a score names (what GEOPOS reports). */
export function decodeScore(score: number): [number, number] | null {
  // C's (uint64_t) of the double: wraps negatives; out of range gives the top bit alone.
  const t = Math.trunc(score);
  const bits = Number.isFinite(t) && Math.abs(t) < 2 ** 63
    ? BigInt.asUintN(64, BigInt(t))
    : 1n << 63n;
  const a = decode({ bits, step: STEP_MAX });
  if (a === null) return null;
  let lon = (a.lonMin + a.lonMax) / 2, lat = (a.latMin + a.latMax) / 2;
  if (lon > LON_MAX) lon = LON_MAX;
  if (lon < LON_MIN) lon = LON_MIN;
  if (lat > LAT_MAX) lat = LAT_MAX;
  if (lat < LAT_MIN) lat = LAT_MIN;
  return [lon, lat];
}

/** The 11-character standard geohash (lat -90..90) of a score, as GEOHASH replies. */
export function geohashString(score: number): string | null {
  const xy = decodeScore(score);
  if (xy === null) return null;
  const h = encode(xy[0], xy[1], 26, [-90, 90], [-180, 180]);
  const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz";
  let s = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 || h === null ? 0 : Number((h.bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += alphabet[idx];
  }
  return s;
}

function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS * Math.abs(lat2 * D_R - lat1 * D_R);
}

/** Haversine distance in metres (Redis's formula and special case). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R, lon2r = lon2 * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R, lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS * Math.asin(Math.sqrt(a));
}

/** A search: centre, circle radius or box width/height (in the unit), unit in metres. */
export interface Shape {
  lon: number;
  lat: number;
  conversion: number;
  radius?: number;
  width?: number;
  height?: number;
}

/** The distance from the centre if the point is inside the shape, else null. */
export function within(s: Shape, lon: number, lat: number): number | null {
  if (s.radius !== undefined) {
    const d = distance(s.lon, s.lat, lon, lat);
    return d > s.radius * s.conversion ? null : d;
  }
  const w = s.width! * s.conversion, h = s.height! * s.conversion;
  if (latDistance(lat, s.lat) > h / 2) return null;
  if (distance(lon, lat, s.lon, lat) > w / 2) return null;
  return distance(s.lon, s.lat, lon, lat);
}

function moveX(h: Hash, d: number): Hash {
  if (d === 0) return h;
  let x = h.bits & 0xaaaaaaaaaaaaaaaan;
  const y = h.bits & 0x5555555555555555n;
  const zz = 0x5555555555555555n >> BigInt(64 - h.step * 2);
  if (d > 0) x = (x + (zz + 1n)) & M64;
  else x = ((x | zz) - (zz + 1n)) & M64;
  x &= 0xaaaaaaaaaaaaaaaan >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

function moveY(h: Hash, d: number): Hash {
  if (d === 0) return h;
  const x = h.bits & 0xaaaaaaaaaaaaaaaan;
  let y = h.bits & 0x5555555555555555n;
  const zz = 0xaaaaaaaaaaaaaaaan >> BigInt(64 - h.step * 2);
  if (d > 0) y = (y + (zz + 1n)) & M64;
  else y = ((y | zz) - (zz + 1n)) & M64;
  y &= 0x5555555555555555n >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

function stepsFor(meters: number, lat: number): number {
  if (meters === 0) return 26;
  let step = 1;
  while (meters < MERCATOR_MAX) {
    meters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(26, Math.max(1, step));
}

/**
 * The score ranges [min, max) of the boxes Redis scans for `s`, in its order
 * (centre, N, S, E, W, NE, NW, SE, SW), skipping excluded and repeated boxes.
 */
export function searchRanges(s: Shape): Array<[number, number]> {
  const hh = s.conversion * (s.radius ?? s.height! / 2);
  const hw = s.conversion * (s.radius ?? s.width! / 2);
  const latDelta = (hh / EARTH_RADIUS) / D_R;
  const lonTop = (hw / EARTH_RADIUS / Math.cos((s.lat + latDelta) * D_R)) / D_R;
  const lonBottom = (hw / EARTH_RADIUS / Math.cos((s.lat - latDelta) * D_R)) / D_R;
  const south = s.lat < 0;
  const minLon = south ? s.lon - lonBottom : s.lon - lonTop;
  const maxLon = south ? s.lon + lonBottom : s.lon + lonTop;
  const minLat = s.lat - latDelta, maxLat = s.lat + latDelta;
  let meters = s.radius !== undefined
    ? s.radius
    : Math.sqrt((s.width! / 2) * (s.width! / 2) + (s.height! / 2) * (s.height! / 2));
  meters *= s.conversion;
  let steps = stepsFor(meters, s.lat);
  const around = (step: number) => {
    const h = encode(s.lon, s.lat, step) ?? { bits: 0n, step };
    return {
      h,
      n: moveY(h, 1),
      so: moveY(h, -1),
      e: moveX(h, 1),
      w: moveX(h, -1),
    };
  };
  let c = around(steps);
  const dn = decode(c.n), ds = decode(c.so), de = decode(c.e), dw = decode(c.w);
  const decrease = (dn !== null && dn.latMax < maxLat) || (ds !== null && ds.latMin > minLat) ||
    (de !== null && de.lonMax < maxLon) || (dw !== null && dw.lonMin > minLon);
  if (steps > 1 && decrease) c = around(--steps);
  const h = c.h;
  const zero: Hash = { bits: 0n, step: 0 };
  let n: Hash = c.n, so: Hash = c.so, e: Hash = c.e, w: Hash = c.w;
  let ne = moveY(moveX(h, 1), 1), nw = moveY(moveX(h, -1), 1);
  let se = moveY(moveX(h, 1), -1), sw = moveY(moveX(h, -1), -1);
  const area = decode(h);
  if (steps >= 2 && area !== null) {
    if (area.latMin < minLat) so = sw = se = zero;
    if (area.latMax > maxLat) n = ne = nw = zero;
    if (area.lonMin < minLon) w = sw = nw = zero;
    if (area.lonMax > maxLon) e = se = ne = zero;
  }
  const boxes = [h, n, so, e, w, ne, nw, se, sw];
  const out: Array<[number, number]> = [];
  let last = 0; // Redis compares with the last box processed, but never with the centre (index 0)
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (b.bits === 0n && b.step === 0) continue;
    if (last > 0 && b.bits === boxes[last]!.bits && b.step === boxes[last]!.step) continue;
    const shift = BigInt(52 - b.step * 2);
    out.push([Number(b.bits << shift), Number(((b.bits + 1n) & M64) << shift)]);
    last = i;
  }
  return out;
}

/** Exact `%.<digits>f` of a finite double (round half to even, as glibc prints). */
export function fixedExact(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const neg = x < 0 || Object.is(x, -0);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const bits = dv.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  // value = mant * 2^exp; scaled = value * 10^digits, rounded half-even.
  let num = mant * 10n ** BigInt(digits), den = 1n;
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  let q = num / den;
  const r = num - q * den;
  if (r * 2n > den || (r * 2n === den && (q & 1n) === 1n)) q++;
  let s = q.toString().padStart(digits + 1, "0");
  s = digits > 0 ? s.slice(0, s.length - digits) + "." + s.slice(s.length - digits) : s;
  return (neg ? "-" : "") + s;
}
