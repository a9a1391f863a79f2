// The overview: the headline numbers with their change, plays over time beside the comparison
// period, and the top videos, pages, browsers, devices and platforms, each row a filter.
import { html, useMemo } from "../lib/html.js";
import { ask } from "../lib/api.js";
import { overview } from "./questions.js";
import { useLoad } from "../lib/load.js";
import { follow, urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import { fileName } from "../lib/csv.js";
import * as format from "../lib/format.js";
import { PageHeading, scopeLabel } from "../components/heading.js";
import { Toolbar } from "../components/toolbar.js";
import { Cards } from "../components/cards.js";
import { Chart } from "../components/chart.js";
import { DataTable } from "../components/table.js";
import { Empty, ErrorNotice, Loading } from "../components/states.js";
import { alignBuckets, playsChart, playsTable } from "../charts/plays.js";
import { Breakdowns, PagesTable } from "./breakdowns.js";

/** What a view of the data asks, as one string: a load runs again when it changes. */
export function question(state) {
  const { path, sort, order, search, offset, show, ...rest } = state;
  return JSON.stringify(rest);
}

export function versus(state) {
  return state.compare === "year" ? "vs a year earlier" : state.compare === "previous" ? "vs the period before" : null;
}

/** The cards of /videos' totals, with the change the API worked out. */
export function totalsCards(videos) {
  const now = videos.totals;
  const change = videos.compare ? videos.compare.change : undefined;
  const card = (id, label, text, points = false) => ({
    id,
    label,
    value: now[id],
    text,
    change: change === undefined ? undefined : change[id],
    changeText: change === undefined ? undefined : format.change(change[id], points),
    definition: DEFINITIONS[id] + (change !== undefined ? " " + DEFINITIONS.change : ""),
  });
  return [
    card("plays", "Plays", format.count(now.plays)),
    card("total_view_time", "Total view time", format.duration(now.total_view_time)),
    card("average_view_time", "Average view time", format.duration(now.average_view_time)),
    card("average_percent_watched", "Average % watched", format.percent(now.average_percent_watched), true),
  ];
}

/** Play rate and completion rate, from /plays' totals, beside the comparison period's own. */
export function rateCards(plays) {
  const then = plays.compare ? plays.compare.totals : undefined;
  const card = (id, label) => ({
    id,
    label,
    value: plays.totals[id],
    text: format.fraction(plays.totals[id]),
    then: then === undefined ? undefined : then[id],
    thenText: then === undefined ? undefined : format.fraction(then[id]),
    definition: DEFINITIONS[id] + (then !== undefined ? " " + DEFINITIONS.quality_change : ""),
  });
  return [card("completion_rate", "Completion rate"), card("play_rate", "Play rate")];
}

export function filesOf(state, answer) {
  const frame = answer && answer.timeframe;
  return (what) =>
    fileName(what, {
      scope: scopeLabel(state),
      from: frame && format.isoDate(frame.from, state.tz),
      to: frame && format.isoDate(frame.to, state.tz),
      zone: state.tz,
    });
}

export function Overview({ state }) {
  const { data, error, loading } = useLoad((signal) => ask(overview(state), signal), question(state));
  return html`
    <${PageHeading} title="Overview" state=${state} answer=${data && data.videos} />
    <${Toolbar} state=${state} />
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => window.location.reload()} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data ? html`<${OverviewBody} state=${state} data=${data} loading=${loading} />` : null}
  `;
}

function OverviewBody({ state, data, loading }) {
  const { videos, plays, sources, watching } = data;
  const compared = Boolean(plays.compare);
  const rows = useMemo(() => alignBuckets(plays, state.interval), [plays, state.interval]);
  const build = useMemo(
    () => playsChart(rows, { interval: state.interval, zone: state.tz, compared, period: plays.timeframe }),
    [rows, state.interval, state.tz, compared, plays],
  );
  const files = filesOf(state, videos);
  const filtered = ["page", "browser", "device", "platform"].some((name) => state[name]);
  const cards = [
    ...totalsCards(videos),
    ...rateCards(plays),
    {
      id: "watching",
      label: "Watching now",
      value: watching.watching,
      text: format.count(watching.watching),
      change: videos.compare ? null : undefined,
      changeText: videos.compare ? format.change(null) : undefined,
      definition: DEFINITIONS.watching,
      note: filtered ? "Of the whole scope: live counts know videos and pages only, not the filters." : null,
    },
  ];
  return html`<div class=${loading ? "stale" : ""} aria-busy=${loading}>
    <${Cards} cards=${cards} versus=${versus(state)} />
    ${videos.totals.videos === 0
      ? html`<${Empty} state=${state} />`
      : html`
          <${Chart}
            id="plays-chart"
            title="Plays over time"
            help=${DEFINITIONS.plays}
            state=${state}
            build=${build}
            summary=${`Plays per ${state.interval}: ${format.count(plays.totals.views)} in all.`}
            table=${{ ...playsTable(rows, { interval: state.interval, zone: state.tz, compared }), fileName: files("plays") }}
          />
          <div class="grid">
            <${DataTable}
              id="videos"
              title="Top videos"
              help=${DEFINITIONS.plays}
              columns=${[
                { key: "identifier", label: "Video", value: (row) => row.identifier, text: (row) => row.identifier || JSON.stringify(row.metadata) },
                { key: "plays", label: "Plays", numeric: true, share: true, value: (row) => row.plays, text: (row) => format.count(row.plays) },
              ]}
              rows=${videos.videos}
              total=${videos.totals.plays}
              link=${(row) => urlFor("/", state, { video: JSON.stringify(row.metadata) })}
              action=${(row) => html`<a href=${urlFor("/video", state, { video: JSON.stringify(row.metadata) })} onClick=${follow}
                aria-label=${`Open the page of ${row.identifier || "this video"}`}>Open</a>`}
              fileName=${files("videos")}
              extra=${html`<a class="quiet button" href=${urlFor("/videos", state)}>All videos</a>`}
            />
            <${PagesTable} state=${state} sources=${sources} total=${plays.totals.views} fileName=${files} />
            <${Breakdowns} state=${state} totals=${plays.totals} fileName=${files} />
          </div>
        `}
  </div>`;
}
