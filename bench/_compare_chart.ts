// The SVG chart of bench/compare.ts: save/load bars per library per runtime (pure: no I/O).
import { fmtS, type Lib, LIBS, type ResultsFile } from "./_compare_report.ts";

const COLORS: Record<Lib, string> = {
  kevy: "#d9480f",
  json: "#1971c2",
  v8: "#2f9e44",
  v8map: "#66a80f",
  msgpackr: "#7048e8",
};

const CHART_WORKLOADS = ["save_strings", "load_strings", "save_hashes", "load_hashes"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Grouped bars (median s, with a tick at the min) of save/load per library per runtime. */
export function renderChart(files: ResultsFile[]): string {
  const bar = 14;
  const gap = 18;
  const groupW = LIBS.length * bar + gap;
  const rtGap = 30;
  const left = 56;
  const top = 56;
  const plotH = 300;
  const groups = files.length * CHART_WORKLOADS.length;
  const width = left + groups * groupW + files.length * rtGap + 20;
  const height = top + plotH + 90;
  let max = 0;
  for (const f of files) {
    for (const id of CHART_WORKLOADS) {
      for (const lib of LIBS) max = Math.max(max, f.workloads[id]?.libs[lib]?.median ?? 0);
    }
  }
  const step = niceStep(max / 5);
  const yMax = Math.max(step, Math.ceil(max / step) * step);
  const y = (s: number): number => top + plotH - (s / yMax) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(
    `<text x="${left}" y="18" font-size="14" font-weight="bold">Snapshot save / load, seconds (median of fresh processes; tick = min). Lower is better.</text>`,
  );
  LIBS.forEach((lib, i) => {
    const x = left + i * 110;
    out.push(`<rect x="${x}" y="28" width="12" height="12" fill="${COLORS[lib]}"/>`);
    out.push(`<text x="${x + 16}" y="38">${lib === "kevy" ? "@kevy/persist" : lib}</text>`);
  });
  for (let s = 0; s <= yMax + 1e-9; s += step) {
    out.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(s).toFixed(1)}" y2="${
        y(s).toFixed(1)
      }" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${left - 6}" y="${(y(s) + 4).toFixed(1)}" text-anchor="end">${+s.toFixed(
        3,
      )}</text>`,
    );
  }
  let x = left + 10;
  for (const f of files) {
    const x0 = x;
    for (const id of CHART_WORKLOADS) {
      const w = f.workloads[id];
      LIBS.forEach((lib, i) => {
        const r = w?.libs[lib];
        const bx = x + i * bar;
        if (r?.median === undefined) {
          out.push(
            `<text x="${bx + bar / 2}" y="${
              top + plotH - 4
            }" text-anchor="middle" fill="#999">×</text>`,
          );
          return;
        }
        const by = y(r.median);
        out.push(
          `<rect x="${bx}" y="${by.toFixed(1)}" width="${bar - 2}" height="${
            (top + plotH - by).toFixed(1)
          }" fill="${COLORS[lib]}"><title>${
            esc(`${f.runtime} ${w!.label} ${lib}: median ${fmtS(r.median)} s, min ${fmtS(r.min)} s`)
          }</title></rect>`,
        );
        if (r.min !== undefined) {
          const my = y(r.min).toFixed(1);
          out.push(
            `<line x1="${bx - 1}" x2="${bx + bar - 1}" y1="${my}" y2="${my}" stroke="#000"/>`,
          );
        }
      });
      const label = id.replace("_strings", ` ${short(f.n)} str`).replace(
        "_hashes",
        ` ${short(f.hashes)} h`,
      );
      out.push(
        `<text x="${x + (LIBS.length * bar) / 2}" y="${top + plotH + 14}" text-anchor="middle">${
          esc(label)
        }</text>`,
      );
      x += groupW;
    }
    out.push(
      `<text x="${(x0 + x - gap) / 2}" y="${
        top + plotH + 36
      }" text-anchor="middle" font-weight="bold">${esc(`${f.runtime} ${f.version}`)}</text>`,
    );
    x += rtGap;
  }
  out.push(
    `<line x1="${left}" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#000"/>`,
  );
  out.push(
    `<text x="${left}" y="${height - 12}" fill="#555">${
      esc(files.map((f) => `${f.runtime}: ${f.date}, ${f.runs} runs`).join("; "))
    }</text>`,
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function short(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

function niceStep(raw: number): number {
  if (raw <= 0) return 0.1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}
