// Quality over time: lines of the /qoe figures per bucket, the comparison period's dashed beside
// them (its buckets moved onto the period's as plays over time does: charts/plays.js), and the
// table of every figure per bucket.
import * as format from "../lib/format.js";
import { nominalSeconds } from "../lib/period.js";
import { STEPS } from "./plays.js";

const seconds = (iso) => Date.parse(iso) / 1000;

/** The figures of a bucket, how each reads, and its column's label. */
export const FIGURES = [
  { key: "sessions", label: "Views", text: format.count },
  { key: "startup_time_p50", label: "Startup, median", text: format.seconds },
  { key: "startup_time_p95", label: "Startup, 95th pct.", text: format.seconds },
  { key: "rebuffer_percentage", label: "Rebuffering", text: format.percent },
  { key: "rebuffer_frequency", label: "Stalls", text: format.perMinute },
  { key: "rebuffered_sessions_percentage", label: "Views with a stall", text: format.percent },
  { key: "playback_failure_percentage", label: "Playback failures", text: format.percent },
  { key: "startup_failure_percentage", label: "Startup failures", text: format.percent },
  { key: "exits_before_start_percentage", label: "Exits before start", text: format.percent },
  { key: "seek_latency", label: "Seek latency", text: format.seconds },
  { key: "average_bitrate", label: "Average bitrate", text: format.bitrate },
];
const FIGURE = Object.fromEntries(FIGURES.map((figure) => [figure.key, figure]));

/**
 * uPlot's options and data for lines of `lines` ([{key, color}]: figures of the aligned rows);
 * with `compared`, each line's comparison figure dashed in the same colour. `axis` formats the
 * y axis' values.
 */
export function qualityChart(rows, { interval, zone, compared, period, lines, axis, floor = 1, height = 240 }) {
  const width = nominalSeconds(interval);
  const pad = width / 2;
  const first = period ? seconds(period.from) : Infinity;
  const last = period ? seconds(period.to) - width : -Infinity;
  return (colors) => {
    const series = [{ value: (u, x) => (x === null ? "" : format.bucket(new Date(x * 1000).toISOString(), interval, zone)) }];
    const data = [rows.map((row) => row.x)];
    const add = (line, side, dash) => {
      const figure = FIGURE[line.key];
      series.push({
        label: side === "main" ? figure.label : `${figure.label}, then`,
        stroke: colors[line.color],
        width: 2,
        dash,
        // A bucket alone between gaps still shows, as a dot.
        points: { show: true, size: 5, fill: colors[line.color] },
        value: (u, v) => (v === null ? "" : figure.text(v)),
      });
      data.push(rows.map((row) => (row[side] ? row[side][line.key] ?? null : null)));
    };
    for (const line of lines) add(line, "main", undefined);
    if (compared) for (const line of lines) add(line, "compare", [6, 4]);
    const options = {
      height,
      tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), zone),
      series,
      scales: {
        x: { time: true, range: (u, min, max) => [Math.min(min, first) - pad, Math.max(max, last) + pad] },
        y: { range: (u, min, max) => [0, Math.max(max ?? 0, floor) * 1.1] },
      },
      axes: [
        {
          stroke: colors.text,
          grid: { show: false },
          ticks: { stroke: colors.grid },
          values: (u, splits) => splits.map((x) => format.tick(x, interval, zone)),
          incrs: STEPS[interval],
          space: 64,
        },
        { stroke: colors.text, grid: { stroke: colors.grid }, ticks: { show: false }, values: (u, splits) => splits.map(axis), size: 60 },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      legend: { live: true },
    };
    return { options, data };
  };
}

/** The numbers of `keys` per bucket as a table, the comparison bucket's beside them. */
export function qualityTable(rows, { interval, zone, compared, keys }) {
  const bucketColumn = (side, key, label) => ({
    key,
    label,
    value: (row) => (row[side] ? row[side].interval : null),
    text: (row) => (row[side] ? format.bucket(row[side].interval, interval, zone) : "—"),
  });
  const figure = (side, key, prefix, suffix) => ({
    key: prefix + key,
    label: FIGURE[key].label + suffix,
    numeric: true,
    value: (row) => (row[side] ? row[side][key] ?? null : null),
    text: (row) => FIGURE[key].text(row[side] ? row[side][key] ?? null : null),
  });
  const columns = [bucketColumn("main", "interval", "Bucket"), ...keys.map((key) => figure("main", key, "", ""))];
  if (compared) {
    columns.push(bucketColumn("compare", "compare_interval", "Compared bucket"), ...keys.map((key) => figure("compare", key, "compare_", ", then")));
  }
  return { columns, rows };
}
