/**
 * `npm run bench:sketch`: Pitwall's own log-bucket histograms (lib/metrics/histogram.ts, packed by
 * lib/metrics/hist-codec.ts) against `@datadog/sketches-js` (DDSketch), side by side in one run, at
 * the same relative accuracy (α = 0.8%, what Pitwall promises within 1%).
 *
 * 1. Accuracy: relative error of p50/p90/p95/p99 against the exact percentile_cont of the same
 *    samples, for four distributions (lognormal latency, bimodal TTFT, Pareto tail, uniform wide).
 * 2. Merge speed: the dashboard's own job. A 24 h panel merges 1,440 stored minute sketches into
 *    one answer; timed from stored bytes (decode + merge) and from sketches already in memory.
 * 3. Bytes: the stored size of one sketch with 1, 60 and 100,000 samples.
 *
 * Options: --samples N (100000) --rows R (1440) --per-row N (60) --runs R (15) --seed S (42)
 */
import { parseArgs } from "node:util";
import { DDSketch } from "@datadog/sketches-js";
import { addEncoded, encodeHist, type Hist } from "../lib/metrics/hist-codec";
import { bucketKey, HistAccumulator, QUANTILES, RELATIVE_ACCURACY } from "../lib/metrics/histogram";
import { fmt } from "./bench/stats";

const { values: opts } = parseArgs({
  options: {
    samples: { type: "string", default: "100000" },
    rows: { type: "string", default: "1440" },
    "per-row": { type: "string", default: "60" },
    runs: { type: "string", default: "15" },
    seed: { type: "string", default: "42" },
  },
});
const SAMPLES = Number(opts.samples);
const ROWS = Number(opts.rows);
const PER_ROW = Number(opts["per-row"]);
const RUNS = Number(opts.runs);

// A seeded generator (mulberry32), so both sketches see the same numbers run after run.
let state = Number(opts.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const DISTRIBUTIONS: Record<string, () => number> = {
  "lognormal latency (ms)": () => 800 * Math.exp(normal()),
  "bimodal TTFT (ms)": () => (random() < 0.7 ? 150 + 40 * normal() ** 2 : 2000 * Math.exp(0.5 * normal())),
  "Pareto tail (ms)": () => 50 / Math.pow(1 - random(), 1 / 1.2),
  "uniform 1 ms-100 s": () => 1 + random() * 99_999,
};

/** percentile_cont over sorted samples: what Pitwall's percentiles are defined against. */
function exactPercentile(sorted: Float64Array, q: number): number {
  const r = q * (sorted.length - 1);
  const lo = sorted[Math.floor(r)]!;
  const hi = sorted[Math.ceil(r)]!;
  return lo + (r - Math.floor(r)) * (hi - lo);
}

function pitwallHist(values: ArrayLike<number>): Hist {
  const h: Hist = new Map();
  for (let i = 0; i < values.length; i++) {
    const k = bucketKey(values[i]!);
    h.set(k, (h.get(k) ?? 0) + 1);
  }
  return h;
}

function datadogSketch(values: ArrayLike<number>): DDSketch {
  const s = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  for (let i = 0; i < values.length; i++) s.accept(values[i]!);
  return s;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time of `fn` over RUNS runs after two warm-ups, in milliseconds. */
function time(fn: () => unknown): number {
  let sink: unknown;
  for (let i = 0; i < 2; i++) sink = fn();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    sink = fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (sink === Symbol.for("never")) console.log(sink);
  return median(runs);
}

const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
const row = (cells: string[]) => console.log(`| ${cells.join(" | ")} |`);

console.log(`# bench:sketch, α = ${RELATIVE_ACCURACY} for both, seed ${opts.seed}, node ${process.version}\n`);

// 1. Accuracy ------------------------------------------------------------------------------------
console.log(`## Accuracy: relative error against exact percentile_cont, ${SAMPLES.toLocaleString("en-US")} samples each\n`);
row(["distribution", "quantile", "exact", "Pitwall", "Pitwall error", "DDSketch", "DDSketch error"]);
row(["---", "---", "---:", "---:", "---:", "---:", "---:"]);
let worstOurs = 0;
let worstDd = 0;
for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
  const values = Float64Array.from({ length: SAMPLES }, draw);
  const sorted = Float64Array.from(values).sort();
  const acc = new HistAccumulator();
  for (const [k, n] of pitwallHist(values)) acc.add(k, n);
  const ours = acc.percentiles(QUANTILES);
  const dd = datadogSketch(values);
  QUANTILES.forEach((q, i) => {
    const exact = exactPercentile(sorted, q);
    const o = ours[i]!;
    const d = dd.getValueAtQuantile(q);
    const eo = Math.abs(o - exact) / exact;
    const ed = Math.abs(d - exact) / exact;
    worstOurs = Math.max(worstOurs, eo);
    worstDd = Math.max(worstDd, ed);
    row([name, `p${q * 100}`, fmt(exact, 2), fmt(o, 2), pct(eo), fmt(d, 2), pct(ed)]);
  });
}
console.log(`\nWorst error: Pitwall ${pct(worstOurs)}, DDSketch ${pct(worstDd)} (promise: 1%).\n`);

// 2. Merge speed ---------------------------------------------------------------------------------
console.log(`## Merge: ${ROWS.toLocaleString("en-US")} stored sketches of ${PER_ROW} lognormal samples into one (median of ${RUNS} runs)\n`);
const rows = Array.from({ length: ROWS }, () => Float64Array.from({ length: PER_ROW }, DISTRIBUTIONS["lognormal latency (ms)"]!));
const oursBytes = rows.map((r) => encodeHist(pitwallHist(r)));
const ddBytes = rows.map((r) => datadogSketch(r).toProto());
const oursAccs = rows.map((r) => {
  const a = new HistAccumulator();
  for (const [k, n] of pitwallHist(r)) a.add(k, n);
  return a;
});
const ddSketches = rows.map((r) => datadogSketch(r));

const mergeOursBytes = () => {
  const a = new HistAccumulator();
  for (const b of oursBytes) a.addEncoded(b);
  return a.percentiles();
};
const mergeOursMap = () => {
  const h: Hist = new Map();
  for (const b of oursBytes) addEncoded(h, b);
  return h.size;
};
const mergeDdBytes = () => {
  const s = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  for (const b of ddBytes) s.merge(DDSketch.fromProto(b));
  return QUANTILES.map((q) => s.getValueAtQuantile(q));
};
const mergeOursMem = () => {
  const a = new HistAccumulator();
  for (const o of oursAccs) a.merge(o);
  return a.percentiles();
};
const mergeDdMem = () => {
  const s = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
  for (const o of ddSketches) s.merge(o);
  return QUANTILES.map((q) => s.getValueAtQuantile(q));
};

// Both answer the same question: check they agree before timing them.
const check = mergeOursBytes();
const checkDd = mergeDdBytes();
check.forEach((v, i) => {
  if (Math.abs(v! - checkDd[i]!) / checkDd[i]! > 2 * RELATIVE_ACCURACY + 0.01) throw new Error(`merged sketches disagree at p${QUANTILES[i]! * 100}: ${v} vs ${checkDd[i]}`);
});

const tOursBytes = time(mergeOursBytes);
const tDdBytes = time(mergeDdBytes);
const tOursMap = time(mergeOursMap);
const tOursMem = time(mergeOursMem);
const tDdMem = time(mergeDdMem);
row(["path", "Pitwall (ms)", "DDSketch (ms)", "DDSketch / Pitwall"]);
row(["---", "---:", "---:", "---:"]);
row(["decode stored bytes + merge + percentiles", fmt(tOursBytes, 2), fmt(tDdBytes, 2), `${fmt(tDdBytes / tOursBytes, 1)}x`]);
row(["merge in memory + percentiles", fmt(tOursMem, 2), fmt(tDdMem, 2), `${fmt(tDdMem / tOursMem, 1)}x`]);
console.log(`\n(Pitwall's Map-based decode, used for single rows: ${fmt(tOursMap, 2)} ms for the same ${ROWS} sketches.)\n`);

// 3. Bytes ---------------------------------------------------------------------------------------
console.log("## Bytes of one stored sketch\n");
row(["samples", "Pitwall (bytes)", "DDSketch protobuf (bytes)", "DDSketch / Pitwall"]);
row(["---", "---:", "---:", "---:"]);
for (const n of [1, PER_ROW, SAMPLES]) {
  const values = Float64Array.from({ length: n }, DISTRIBUTIONS["lognormal latency (ms)"]!);
  const o = encodeHist(pitwallHist(values)).length;
  const d = datadogSketch(values).toProto().length;
  row([n.toLocaleString("en-US"), String(o), String(d), `${fmt(d / o, 1)}x`]);
}
const totalOurs = oursBytes.reduce((s, b) => s + b.length, 0);
const totalDd = ddBytes.reduce((s, b) => s + b.length, 0);
console.log(`\nThe ${ROWS} minute sketches above: Pitwall ${totalOurs.toLocaleString("en-US")} bytes, DDSketch ${totalDd.toLocaleString("en-US")} bytes (${fmt(totalDd / totalOurs, 1)}x).`);
