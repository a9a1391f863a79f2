// The last 30 minutes: plays that started in each minute as bars, and the viewers sampled at the
// start of each minute as a line.
import * as format from "../lib/format.js";

const seconds = (iso) => Date.parse(iso) / 1000;

/** Rows {x, minute, plays, viewers}, one per minute either answer names. */
export function minuteRows(plays, watching) {
  const rows = new Map();
  const row = (iso) => {
    const x = seconds(iso);
    if (!rows.has(x)) rows.set(x, { x, minute: iso, plays: null, viewers: null });
    return rows.get(x);
  };
  for (const bucket of plays.views) row(bucket.interval).plays = bucket.views;
  for (const sample of watching.minutes || []) row(sample.minute).viewers = sample.watching;
  return [...rows.values()].sort((a, b) => a.x - b.x);
}

export function liveChart(rows, { zone, from, to, height = 220 }) {
  return (colors) => ({
    options: {
      height,
      tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), zone),
      series: [
        { value: (u, x) => (x === null ? "" : format.tick(x, "minute", zone)) },
        {
          label: "Plays per minute",
          fill: colors.main,
          stroke: colors.main,
          width: 0,
          paths: window.uPlot.paths.bars({ size: [0.7, 24], align: 1, gap: 1 }),
          points: { show: false },
          value: (u, v) => (v === null ? "" : format.count(v)),
        },
        {
          label: "Viewers",
          stroke: colors.line,
          width: 2,
          points: { show: true, size: 4 },
          spanGaps: false,
          value: (u, v) => (v === null ? "" : format.count(v)),
        },
      ],
      scales: {
        x: { time: true, range: () => [seconds(from), seconds(to)] },
        y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.15] },
      },
      axes: [
        {
          stroke: colors.text,
          grid: { show: false },
          values: (u, splits) => splits.map((x) => format.tick(x, "minute", zone)),
        },
        {
          stroke: colors.text,
          grid: { stroke: colors.grid },
          ticks: { show: false },
          values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? format.count(v) : "")),
          size: 40,
        },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
    },
    data: [rows.map((r) => r.x), rows.map((r) => r.plays), rows.map((r) => r.viewers)],
  });
}

export function liveTable(rows, zone) {
  return {
    columns: [
      { key: "minute", label: "Minute", value: (row) => row.minute, text: (row) => format.tick(row.x, "minute", zone) },
      { key: "plays", label: "Plays", numeric: true, value: (row) => row.plays, text: (row) => format.count(row.plays) },
      { key: "watching", label: "Viewers", numeric: true, value: (row) => row.viewers, text: (row) => format.count(row.viewers) },
    ],
    rows,
  };
}
