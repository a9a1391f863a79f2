// The engagement curve over the video's duration: viewers of each range as bars; as lines, the
// share of the plays that watched it (the comparison period's too, dashed: a share compares
// periods of different sizes) and the retention (the plays whose furthest position passed it);
// and the two marks the API picks: the biggest drop-off and the most re-watched range.
import * as format from "../lib/format.js";

export function engagementChart(answer, { height = 260 } = {}) {
  const ranges = answer.engagement;
  const then = answer.compare ? answer.compare.engagement : null;
  return (colors) => {
    const x = ranges.map((r) => r.range_time.from);
    const series = [
      { value: (u, v) => (v === null ? "" : format.position(v)) },
      {
        label: "Viewers",
        scale: "viewers",
        fill: colors.main,
        stroke: colors.main,
        width: 0,
        paths: window.uPlot.paths.bars({ size: [0.9, 40], align: 1, gap: 1 }),
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.count(v)),
      },
      {
        label: "Share of plays",
        scale: "%",
        stroke: colors.line,
        width: 2,
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.percent(v)),
      },
      {
        label: "Retention",
        scale: "%",
        stroke: colors.retention,
        width: 2,
        dash: [2, 3],
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.percent(v)),
      },
    ];
    // Retention is a fraction; drawn on the same percent axis as the share of plays.
    const percentOf = (share) => (share === null || share === undefined ? null : share * 100);
    const data = [x, ranges.map((r) => r.viewers), ranges.map((r) => r.percent_of_plays ?? null), ranges.map((r) => percentOf(r.retention))];
    if (then) {
      series.push({
        label: "Share of plays then",
        scale: "%",
        stroke: colors.compare,
        width: 2,
        dash: [6, 4],
        points: { show: false },
        value: (u, v) => (v === null ? "" : format.percent(v)),
      });
      data.push(then.map((r) => r.percent_of_plays ?? null));
    }
    const marks = [
      // Named in the list under the chart, in the same colours.
      [answer.drop_off, colors.bad, colors.badLine],
      [answer.most_rewatched, colors.warn, colors.warnLine],
    ].filter(([mark]) => mark);
    const options = {
      height,
      series,
      scales: {
        x: { time: false, range: (u, min, max) => [0, ranges.length ? ranges[ranges.length - 1].range_time.to : max] },
        viewers: { range: (u, min, max) => [0, Math.max(max, 1) * 1.08] },
        "%": { range: [0, 105] },
      },
      axes: [
        {
          stroke: colors.text,
          grid: { show: false },
          ticks: { stroke: colors.grid },
          values: (u, splits) => splits.map(format.position),
        },
        {
          scale: "viewers",
          stroke: colors.text,
          grid: { stroke: colors.grid },
          ticks: { show: false },
          values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? format.count(v) : "")),
          size: 50,
        },
        {
          scale: "%",
          side: 1,
          stroke: colors.text,
          grid: { show: false },
          ticks: { show: false },
          values: (u, splits) => splits.map((v) => format.percent(v)),
          size: 56,
        },
      ],
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      hooks: {
        // Translucent bands over the marked ranges.
        draw: [
          (u) => {
            const { ctx } = u;
            for (const [mark, fill, line] of marks) {
              const range = ranges[mark.range];
              if (!range) continue;
              const left = u.valToPos(range.range_time.from, "x", true);
              const right = u.valToPos(range.range_time.to, "x", true);
              const width = Math.max(right - left, 2);
              ctx.save();
              ctx.fillStyle = fill;
              ctx.fillRect(left, u.bbox.top, width, u.bbox.height);
              ctx.strokeStyle = line;
              ctx.lineWidth = 1.5 * devicePixelRatio;
              ctx.strokeRect(left, u.bbox.top, width, u.bbox.height);
              ctx.restore();
            }
          },
        ],
      },
    };
    return { options, data };
  };
}

export function engagementTable(answer) {
  const then = answer.compare ? answer.compare.engagement : null;
  const rows = answer.engagement.map((range, index) => ({ range, then: then ? then[index] : null }));
  const marked = (range) => {
    const notes = [];
    if (answer.drop_off && answer.drop_off.range === range.range) notes.push("biggest drop-off");
    if (answer.most_rewatched && answer.most_rewatched.range === range.range) notes.push("most re-watched");
    return notes.length ? ` (${notes.join(", ")})` : "";
  };
  const columns = [
    { key: "range", label: "Range", value: (row) => row.range.range, text: (row) => `${format.position(row.range.range_time.from)}–${format.position(row.range.range_time.to)}${marked(row.range)}` },
    { key: "range_from", label: "From", numeric: true, value: (row) => row.range.range_time.from, text: (row) => format.position(row.range.range_time.from) },
    { key: "range_to", label: "To", numeric: true, value: (row) => row.range.range_time.to, text: (row) => format.position(row.range.range_time.to) },
    { key: "viewers", label: "Viewers", numeric: true, value: (row) => row.range.viewers, text: (row) => format.count(row.range.viewers) },
    { key: "percent_of_plays", label: "Share of plays", numeric: true, value: (row) => row.range.percent_of_plays ?? null, text: (row) => format.percent(row.range.percent_of_plays) },
    { key: "retention", label: "Retention", numeric: true, value: (row) => row.range.retention ?? null, text: (row) => format.fraction(row.range.retention) },
    { key: "rewatches", label: "Rewatches", numeric: true, value: (row) => row.range.rewatches, text: (row) => format.count(row.range.rewatches) },
  ];
  if (then) {
    columns.push(
      { key: "compare_viewers", label: "Viewers then", numeric: true, value: (row) => (row.then ? row.then.viewers : null), text: (row) => format.count(row.then && row.then.viewers) },
      { key: "compare_percent_of_plays", label: "Share then", numeric: true, value: (row) => (row.then ? row.then.percent_of_plays ?? null : null), text: (row) => format.percent(row.then && row.then.percent_of_plays) },
    );
  }
  return { columns, rows };
}
