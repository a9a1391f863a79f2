// Right now: who is watching in total, per video and per page, and plays and viewers minute by
// minute over the last 30 minutes. Asks again every few seconds while the tab is visible, and not
// at all while it is hidden.
import { html, useEffect, useMemo, useState } from "../lib/html.js";
import { ask } from "../lib/api.js";
import { live } from "./questions.js";
import { useLoad } from "../lib/load.js";
import { follow, urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import * as format from "../lib/format.js";
import { PageHeading } from "../components/heading.js";
import { Toolbar } from "../components/toolbar.js";
import { Cards } from "../components/cards.js";
import { Chart } from "../components/chart.js";
import { DataTable } from "../components/table.js";
import { ErrorNotice, Loading } from "../components/states.js";
import { liveChart, liveTable, minuteRows } from "../charts/live.js";
import { filesOf, question } from "./overview.js";

export const REFRESH_SECONDS = 5;

/** A counter that goes up every few seconds while the page is visible. */
function useTicks() {
  const [tick, setTick] = useState(0);
  const [visible, setVisible] = useState(document.visibilityState === "visible");
  useEffect(() => {
    const changed = () => {
      const now = document.visibilityState === "visible";
      setVisible(now);
      if (now) setTick((n) => n + 1); // back: at once, then every few seconds
    };
    document.addEventListener("visibilitychange", changed);
    return () => document.removeEventListener("visibilitychange", changed);
  }, []);
  useEffect(() => {
    if (!visible) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_SECONDS * 1000);
    return () => clearInterval(timer);
  }, [visible]);
  return { tick, visible };
}

export function Live({ state }) {
  const { tick, visible } = useTicks();
  const { data, error } = useLoad(
    (signal) => ({ ...ask(live(state), signal), at: Promise.resolve(new Date()) }),
    question(state) + tick,
  );
  return html`
    <${PageHeading} title="Live" state=${state} />
    <${Toolbar} state=${state} controls=${["scope", "min", "tz"]} filters=${false} />
    <p class="muted small" role="status" data-live=${visible ? "on" : "paused"}>
      ${visible
        ? `Updates every ${REFRESH_SECONDS} seconds${data ? `; last at ${data.at.toLocaleTimeString()}` : ""}.`
        : "Paused while this tab is hidden."}
    </p>
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => window.location.reload()} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data ? html`<${LiveBody} state=${state} data=${data} />` : null}
  `;
}

function LiveBody({ state, data }) {
  const { watching, pages, plays } = data;
  const rows = useMemo(() => minuteRows(plays, watching), [plays, watching]);
  const build = useMemo(
    () => liveChart(rows, { zone: state.tz, from: plays.timeframe.from, to: plays.timeframe.to }),
    [rows, state.tz, plays],
  );
  const files = filesOf(state, plays);
  const cards = [
    { id: "watching", label: "Watching now", value: watching.watching, text: format.count(watching.watching), definition: DEFINITIONS.watching },
    { id: "plays", label: "Plays, last 30 minutes", value: plays.totals.views, text: format.count(plays.totals.views), definition: DEFINITIONS.plays_per_minute },
    {
      id: "peak",
      label: "Peak viewers, last 30 minutes",
      value: watching.peak ? watching.peak.watching : null,
      text: format.count(watching.peak ? watching.peak.watching : null),
      note: watching.peak ? `at ${format.moment(watching.peak.minute, state.tz)}` : "no viewer at the start of any minute",
      definition: DEFINITIONS.peak,
    },
  ];
  return html`
    <${Cards} cards=${cards} />
    <${Chart}
      id="live-chart"
      title="The last 30 minutes"
      help=${`${DEFINITIONS.plays_per_minute} ${DEFINITIONS.peak}`}
      state=${state}
      build=${build}
      summary=${`Plays per minute and viewers over the last 30 minutes: ${format.count(plays.totals.views)} plays.`}
      table=${{ ...liveTable(rows, state.tz), fileName: files("minutes") }}
    />
    <div class="grid">
      <${DataTable}
        id="live-videos"
        title="Watching now, per video"
        help=${DEFINITIONS.watching}
        columns=${[
          { key: "identifier", label: "Video", value: (row) => row.identifier, text: (row) => row.identifier || JSON.stringify(row.metadata) },
          { key: "watching", label: "Watching", numeric: true, share: true, value: (row) => row.watching, text: (row) => format.count(row.watching) },
        ]}
        rows=${watching.videos}
        total=${watching.watching}
        link=${(row) => urlFor("/video", state, { video: JSON.stringify(row.metadata) })}
        fileName=${files("watching-videos")}
        empty="Nobody is playing a video right now."
      />
      <${DataTable}
        id="live-pages"
        title="Watching now, per page"
        help=${DEFINITIONS.watching}
        columns=${[
          { key: "path", label: "Page", value: (row) => row.path, text: (row) => html`<span class="path" title=${row.path}>${row.path.replace(/^https?:\/\//, "")}</span>` },
          { key: "watching", label: "Watching", numeric: true, share: true, value: (row) => row.watching, text: (row) => format.count(row.watching) },
        ]}
        rows=${pages.pages}
        total=${pages.watching}
        fileName=${files("watching-pages")}
        empty="Nobody is playing a video on any page right now."
      />
    </div>
    <p class="muted small">
      Per video and per page, the top 50. <a href=${urlFor("/", state)} onClick=${follow}>Back to the overview</a>
    </p>
  `;
}
