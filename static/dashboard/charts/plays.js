// Plays over time: the period's buckets as bars, the comparison period's beside them. Each
// comparison bucket is drawn at the main bucket it corresponds to (its start moved by the
// distance between the two periods' starts), so that Monday stands next to the Monday before.
import * as format from "../lib/format.js";
import { nominalSeconds } from "../lib/period.js";

const seconds = (iso) => Date.parse(iso) / 1000;

/** Rows {x, main, compare}: a main bucket and the comparison bucket beside it, either missing. */
export function alignBuckets(answer, interval, list = "views") {
  const rows = answer[list].map((bucket) => ({ x: seconds(bucket.interval), main: bucket, compare: null }));
  if (!answer.compare) return rows;
  // The distance between the periods in whole buckets, so that a bucket lands on a bucket (today
  // at 03:15 is compared with the 3 h 15 min before midnight: 21:00 stands beside 00:00).
  const width = nominalSeconds(interval);
  const shift = Math.round((seconds(answer.timeframe.from) - seconds(answer.compare.timeframe.from)) / width) * width;
  // Days of 23 or 25 hours, months of 28 to 31 days: a bucket is found within half its width.
  const near = width / 2;
  for (const bucket of answer.compare[list]) {
    const x = seconds(bucket.interval) + shift;
    const match = rows.find((row) => Math.abs(row.x - x) < near && row.compare === null);
    if (match) match.compare = bucket;
    else rows.push({ x, main: null, compare: bucket });
  }
  return rows.sort((a, b) => a.x - b.x);
}

// Tick steps of whole buckets (and their multiples), never finer than the buckets.
export const STEPS = {
  hour: [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400],
  day: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
  week: [7 * 86_400, 14 * 86_400, 28 * 86_400, 91 * 86_400],
  month: [2_629_800, 2 * 2_629_800, 3 * 2_629_800, 6 * 2_629_800, 12 * 2_629_800],
};

/** uPlot's options and data for the aligned rows; the x axis spans the whole period asked. */
export function playsChart(rows, { interval, zone, compared, period, height = 260 }) {
  const width = nominalSeconds(interval);
  const pad = width / 2;
  const first = period ? seconds(period.from) : Infinity;
  const last = period ? seconds(period.to) - width : -Infinity;
  return (colors) => {
    const bars = (align) => window.uPlot.paths.bars({ size: [compared ? 0.42 : 0.7, 48], align, gap: 1 });
    const series = [
      { value: (u, x) => (x === null ? "" : format.bucket(new Date(x * 1000).toISOString(), interval, zone)) },
      {
        label: "Plays",
        fill: colors.main,
        stroke: colors.main,
        width: 0,
        paths: bars(compared ? 1 : 0),
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.count(v)),
      },
    ];
    const data = [rows.map((row) => row.x), rows.map((row) => (row.main ? row.main.views : null))];
    if (compared) {
      series.push({
        label: "Comparison period",
        fill: colors.compare,
        stroke: colors.compare,
        width: 0,
        paths: bars(-1),
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.count(v)),
      });
      data.push(rows.map((row) => (row.compare ? row.compare.views : null)));
    }
    const options = {
      height,
      tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), zone),
      series,
      scales: {
        // Half a bucket of room at either end, so that the first and last bars are whole.
        x: { time: true, range: (u, min, max) => [Math.min(min, first) - pad, Math.max(max, last) + pad] },
        y: { range: (u, min, max) => [0, Math.max(max, 1) * 1.08] },
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
        {
          stroke: colors.text,
          grid: { stroke: colors.grid },
          ticks: { show: false },
          values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? format.count(v) : "")),
          size: 50,
        },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      legend: { live: true },
    };
    return { options, data };
  };
}

/** The chart's numbers as a table: each bucket and the comparison bucket beside it. */
export function playsTable(rows, { interval, zone, compared }) {
  const columns = [
    {
      key: "interval",
      label: "Bucket",
      value: (row) => (row.main ? row.main.interval : null),
      text: (row) => (row.main ? format.bucket(row.main.interval, interval, zone) : "—"),
    },
    { key: "views", label: "Plays", numeric: true, value: (row) => (row.main ? row.main.views : null), text: (row) => format.count(row.main && row.main.views) },
    {
      key: "total_view_time",
      label: "Total view time",
      numeric: true,
      value: (row) => (row.main ? row.main.total_view_time : null),
      text: (row) => format.duration(row.main && row.main.total_view_time),
    },
  ];
  if (compared) {
    columns.push(
      {
        key: "compare_interval",
        label: "Compared bucket",
        value: (row) => (row.compare ? row.compare.interval : null),
        text: (row) => (row.compare ? format.bucket(row.compare.interval, interval, zone) : "—"),
      },
      {
        key: "compare_views",
        label: "Plays then",
        numeric: true,
        value: (row) => (row.compare ? row.compare.views : null),
        text: (row) => format.count(row.compare && row.compare.views),
      },
    );
  }
  return { columns, rows };
}
