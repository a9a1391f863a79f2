// Quality: how well the videos played (/qoe) and what broke (/errors). The whole period's
// figures as cards beside the comparison period's, startup time and the failure percentages over
// time, the figures per browser, device and platform (a row filters the view), and the error
// groups. Only pages using this server's snippet send quality events: without them the page says
// so instead of showing zeros.
import { html, useMemo } from "../lib/html.js";
import { ask } from "../lib/api.js";
import { quality } from "./questions.js";
import { useLoad } from "../lib/load.js";
import { urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import * as format from "../lib/format.js";
import { PageHeading } from "../components/heading.js";
import { Toolbar } from "../components/toolbar.js";
import { Cards } from "../components/cards.js";
import { Chart } from "../components/chart.js";
import { DataTable } from "../components/table.js";
import { ErrorNotice, Loading } from "../components/states.js";
import { alignBuckets } from "../charts/plays.js";
import { FIGURES, qualityChart, qualityTable } from "../charts/quality.js";
import { filesOf, question, versus } from "./overview.js";

const CARDS = [
  "sessions",
  "startup_time_p50",
  "startup_time_p95",
  "rebuffer_percentage",
  "rebuffered_sessions_percentage",
  "playback_failure_percentage",
  "startup_failure_percentage",
  "exits_before_start_percentage",
  "average_bitrate",
];
const STARTUP = ["sessions", "startup_time_p50", "startup_time_p95"];
const SHARES = [
  "sessions",
  "rebuffer_percentage",
  "rebuffer_frequency",
  "rebuffered_sessions_percentage",
  "playback_failure_percentage",
  "startup_failure_percentage",
  "exits_before_start_percentage",
  "seek_latency",
  "average_bitrate",
];
const BREAKDOWN = [
  "sessions",
  "startup_time_p50",
  "startup_time_p95",
  "rebuffer_percentage",
  "playback_failure_percentage",
  "startup_failure_percentage",
  "exits_before_start_percentage",
];
const BREAKDOWNS = [
  { id: "browser", title: "Browsers", field: "browser", label: "Browser" },
  { id: "device", title: "Devices", field: "device_type", label: "Device" },
  { id: "platform", title: "Platforms", field: "platform", label: "Platform" },
];
const FIGURE = Object.fromEntries(FIGURES.map((figure) => [figure.key, figure]));
const definition = (key) => DEFINITIONS[key === "sessions" ? "views" : key];

export function Quality({ state }) {
  const { data, error, loading } = useLoad((signal) => ask(quality(state), signal), question(state));
  return html`
    <${PageHeading} title="Quality" state=${state} answer=${data && data.qoe}>
      <p class="small muted">How well the videos played: startup, stalls, failures, and the errors behind them.</p>
    </${PageHeading}>
    <${Toolbar} state=${state} controls=${["scope", "range", "interval", "compare", "tz"]} />
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => window.location.reload()} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data ? html`<${QualityBody} state=${state} data=${data} loading=${loading} />` : null}
  `;
}

function QualityBody({ state, data, loading }) {
  const { qoe, whole, errors } = data;
  const period = whole.qoe[0] || null;
  const before = whole.compare ? whole.compare.qoe[0] || null : undefined;
  const compared = Boolean(qoe.compare);
  const rows = useMemo(() => alignBuckets(qoe, state.interval, "qoe"), [qoe, state.interval]);
  const common = { interval: state.interval, zone: state.tz, compared, period: qoe.timeframe };
  const startup = useMemo(
    () =>
      qualityChart(rows, {
        ...common,
        lines: [
          { key: "startup_time_p50", color: "main" },
          { key: "startup_time_p95", color: "line" },
        ],
        axis: format.seconds,
        floor: 0.5,
      }),
    [rows, state.interval, state.tz, compared, qoe],
  );
  const shares = useMemo(
    () =>
      qualityChart(rows, {
        ...common,
        lines: [
          { key: "rebuffer_percentage", color: "main" },
          { key: "playback_failure_percentage", color: "badLine" },
          { key: "startup_failure_percentage", color: "warnLine" },
          { key: "exits_before_start_percentage", color: "retention" },
        ],
        axis: format.percent,
        floor: 5,
        // Four lines and their four earlier selves are too many to read: the table has them.
        compared: false,
      }),
    [rows, state.interval, state.tz, compared, qoe],
  );
  const files = filesOf(state, qoe);
  const cards = CARDS.map((key) => ({
    id: key,
    label: FIGURE[key].label,
    value: period ? period[key] : null,
    text: FIGURE[key].text(period ? period[key] : key === "sessions" ? 0 : null),
    then: before === undefined ? undefined : before ? before[key] : null,
    thenText: before === undefined ? undefined : FIGURE[key].text(before ? before[key] : key === "sessions" ? 0 : null),
    definition: definition(key) + (before !== undefined ? " " + DEFINITIONS.quality_change : ""),
  }));
  return html`<div class=${loading ? "stale" : ""} aria-busy=${loading}>
    ${period
      ? html`
          <${Cards} cards=${cards} versus=${versus(state)} />
          <${Chart}
            id="startup-chart"
            title="Startup time"
            help=${`${DEFINITIONS.startup_time_p50} ${DEFINITIONS.startup_time_p95}`}
            state=${state}
            build=${startup}
            summary=${`Startup time per ${state.interval}, median and 95th percentile, over ${format.count(period.sessions)} views.`}
            table=${{ ...qualityTable(rows, { ...common, keys: STARTUP }), fileName: files("startup") }}
          />
          <${Chart}
            id="failures-chart"
            title="Rebuffering, failures and exits"
            help=${["rebuffer_percentage", "playback_failure_percentage", "startup_failure_percentage", "exits_before_start_percentage"]
              .map((key) => DEFINITIONS[key])
              .join(" ")}
            state=${state}
            build=${shares}
            summary=${`Rebuffering, playback failures, startup failures and exits before start per ${state.interval}, in percent.`}
            legend=${compared ? html`<p class="muted small">The comparison period's figures are in the table.</p>` : null}
            table=${{ ...qualityTable(rows, { ...common, keys: SHARES }), fileName: files("quality") }}
          />
          ${BREAKDOWNS.map((breakdown) => html`<${QualityBreakdown} key=${breakdown.id} state=${state} period=${period} files=${files} ...${breakdown} />`)}
        `
      : html`<${NoQuality} />`}
    <${ErrorGroups} state=${state} errors=${errors} files=${files} />
  </div>`;
}

/** No views with quality events in the period: why, plainly. */
function NoQuality() {
  return html`<section class="panel empty" aria-labelledby="no-quality-title" data-empty="quality">
    <h2 id="no-quality-title">No quality data in this period</h2>
    <p>
      Startup time, stalls and failures are measured by this server's own snippet, which sends a short summary when a
      playback starts, stalls, fails or ends. No view in this scope and period sent one.
    </p>
    <p>
      Pages using the published <code>@maveio/metrics</code> client send plays and watch time only: their plays count
      on the overview, but carry no quality figures. To measure quality, embed the snippet this server serves (the
      Keys page shows it for each key) beside the player; the figures show up here once someone presses play.
    </p>
  </section>`;
}

function QualityBreakdown({ state, period, files, id, title, field, label }) {
  const rows = Object.entries(period[field])
    .filter(([, figures]) => figures.sessions > 0)
    .sort((a, b) => b[1].sessions - a[1].sessions)
    .map(([name, figures]) => ({ name, figures }));
  return html`<${DataTable}
    id=${`quality-${id}`}
    title=${title}
    help=${`The quality figures of the views in each ${label.toLowerCase()}, read from the browser's User-Agent (which is then forgotten). ${DEFINITIONS.views}`}
    columns=${[
      { key: id, label, value: (row) => row.name, text: (row) => format.category(row.name) },
      ...BREAKDOWN.map((key) => ({
        key,
        label: FIGURE[key].label,
        numeric: true,
        share: key === "sessions",
        value: (row) => row.figures[key],
        text: (row) => FIGURE[key].text(row.figures[key]),
      })),
    ]}
    rows=${rows}
    total=${period.sessions}
    link=${(row) => urlFor(state.path, state, { [id]: row.name }, { own: true })}
    fileName=${files(`quality-${id}`)}
    empty="No views in this period."
  />`;
}

function ErrorGroups({ state, errors, files }) {
  const then = errors.compare ? errors.compare.errors : null;
  const rows = errors.errors.map((group, index) => ({ group, then: then ? then[index] : null }));
  const { groups, sessions } = errors.totals;
  const title = groups > rows.length ? `Errors (the ${rows.length} most frequent of ${format.count(groups)})` : "Errors";
  const columns = [
    { key: "code", label: "Code", value: (row) => row.group.code, text: (row) => html`<code>${row.group.code}</code>` },
    { key: "message", label: "Message", value: (row) => row.group.message, text: (row) => html`<span class="error-message">${row.group.message}</span>` },
    { key: "sessions", label: "Sessions", numeric: true, share: true, value: (row) => row.group.sessions, text: (row) => format.count(row.group.sessions) },
    { key: "first_seen", label: "First seen", value: (row) => row.group.first_seen, text: (row) => format.moment(row.group.first_seen, state.tz) },
    { key: "last_seen", label: "Last seen", value: (row) => row.group.last_seen, text: (row) => format.moment(row.group.last_seen, state.tz) },
  ];
  if (then) {
    columns.push({
      key: "compare_sessions",
      label: "Sessions then",
      numeric: true,
      value: (row) => (row.then ? row.then.sessions : null),
      text: (row) => (row.then && row.then.sessions === 0 ? "new" : format.count(row.then && row.then.sessions)),
    });
  }
  return html`<${DataTable}
    id="errors"
    title=${title}
    help=${DEFINITIONS.errors}
    columns=${columns}
    rows=${rows}
    total=${sessions}
    fileName=${files("errors")}
    empty="No fatal error in this period."
    extra=${groups ? html`<span class="muted small">${format.count(sessions)} ${sessions === 1 ? "session" : "sessions"} in all</span>` : null}
  />`;
}
