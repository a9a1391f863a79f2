// One video: its cards, plays over time, its engagement curve over its duration with the
// comparison period overlaid and the biggest drop-off and most re-watched range marked, the pages
// it was played on, its breakdowns, and its peak viewers.
import { html, useMemo } from "../lib/html.js";
import { ask } from "../lib/api.js";
import { video } from "./questions.js";
import { useLoad } from "../lib/load.js";
import { follow, urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import * as format from "../lib/format.js";
import { PageHeading } from "../components/heading.js";
import { Toolbar } from "../components/toolbar.js";
import { Cards } from "../components/cards.js";
import { Chart } from "../components/chart.js";
import { ErrorNotice, Loading } from "../components/states.js";
import { alignBuckets, playsChart, playsTable } from "../charts/plays.js";
import { engagementChart, engagementTable } from "../charts/engagement.js";
import { filesOf, question, rateCards, totalsCards, versus } from "./overview.js";
import { Breakdowns, PagesTable } from "./breakdowns.js";

export function Video({ state }) {
  const { data, error, loading } = useLoad((signal) => ask(video(state), signal), question(state));
  const first = data && data.videos.videos[0];
  const title = first ? first.identifier || "A video without a label" : "Video";
  return html`
    <${PageHeading} title=${title} state=${state} answer=${data && data.videos}>
      <p class="small">
        <a href=${urlFor("/videos", state, { video: null })} onClick=${follow}>← All videos</a>
        ${state.video ? html` · metadata <code>${state.video}</code>` : null}
        ${first && first.duration ? html` · ${format.position(first.duration)} long` : null}
      </p>
    </${PageHeading}>
    <${Toolbar} state=${state} controls=${["range", "interval", "compare", "min", "tz"]} />
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => window.location.reload()} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data ? html`<${VideoBody} state=${state} data=${data} loading=${loading} />` : null}
  `;
}

function VideoBody({ state, data, loading }) {
  const { videos, plays, engagement, sources, watching } = data;
  const compared = Boolean(plays.compare);
  const rows = useMemo(() => alignBuckets(plays, state.interval), [plays, state.interval]);
  const playsBuild = useMemo(
    () => playsChart(rows, { interval: state.interval, zone: state.tz, compared, period: plays.timeframe }),
    [rows, state.interval, state.tz, compared, plays],
  );
  const curve = useMemo(() => engagementChart(engagement), [engagement]);
  const files = filesOf(state, videos);
  const noChange = videos.compare ? { change: null, changeText: format.change(null) } : {};
  const cards = [
    ...totalsCards(videos),
    ...rateCards(plays),
    {
      id: "peak",
      label: "Peak viewers",
      value: watching.peak ? watching.peak.watching : null,
      text: format.count(watching.peak ? watching.peak.watching : null),
      ...noChange,
      note: watching.peak ? `at ${format.moment(watching.peak.minute, state.tz)}` : "no viewer at the start of any minute",
      definition: DEFINITIONS.peak,
    },
    { id: "watching", label: "Watching now", value: watching.watching, text: format.count(watching.watching), ...noChange, definition: DEFINITIONS.watching },
  ];
  const several = videos.totals.videos > 1;
  return html`<div class=${loading ? "stale" : ""} aria-busy=${loading}>
    ${several
      ? html`<p class="notice">
          This metadata matches ${format.count(videos.totals.videos)} videos (their metadata contains it); the numbers are for all of them.
        </p>`
      : null}
    <${Cards} cards=${cards} versus=${versus(state)} />
    <${Chart}
      id="plays-chart"
      title="Plays over time"
      help=${DEFINITIONS.plays}
      state=${state}
      build=${playsBuild}
      summary=${`Plays per ${state.interval}: ${format.count(plays.totals.views)} in all.`}
      table=${{ ...playsTable(rows, { interval: state.interval, zone: state.tz, compared }), fileName: files("plays") }}
    />
    <${Chart}
      id="engagement-chart"
      title="Engagement over the video"
      help=${`${DEFINITIONS.viewers} ${DEFINITIONS.reached} ${DEFINITIONS.retention} ${DEFINITIONS.rewatches}`}
      state=${state}
      build=${curve}
      summary=${`Viewers of each of ${engagement.engagement.length} ranges of the video, the share of its ${format.count(engagement.plays)} plays that watched each, and the share still there (retention).`}
      table=${{ ...engagementTable(engagement), fileName: files("engagement") }}
    >
      <${Marks} engagement=${engagement} />
    </${Chart}>
    <div class="grid">
      <${PagesTable} state=${state} sources=${sources} total=${plays.totals.views} fileName=${files} />
      <${Breakdowns} state=${state} totals=${plays.totals} fileName=${files} />
    </div>
  </div>`;
}

const fewer = (n) => `${format.count(n)} ${n === 1 ? "viewer" : "viewers"} fewer than the range before`;
const again = (n) => (n === 1 ? "watched again once" : `watched again ${format.count(n)} times`);

function Marks({ engagement }) {
  const ranges = engagement.engagement;
  if (!ranges.length) return html`<p class="muted small">The video's length is not known yet, so it cannot be cut into ranges.</p>`;
  const at = (mark) => {
    const range = ranges[mark.range];
    return `${format.position(range.range_time.from)}–${format.position(range.range_time.to)}`;
  };
  return html`<ul class="marks small">
    <li data-mark="drop_off">
      <span class="swatch bad"></span> Biggest drop-off:
      ${engagement.drop_off
        ? html` <strong>${at(engagement.drop_off)}</strong>, ${fewer(engagement.drop_off.viewers_lost)}`
        : " none: no range has fewer viewers than the one before it"}
    </li>
    <li data-mark="most_rewatched">
      <span class="swatch warn"></span> Most re-watched:
      ${engagement.most_rewatched
        ? html` <strong>${at(engagement.most_rewatched)}</strong>, ${again(engagement.most_rewatched.rewatches)}`
        : " none: nobody came back to a part they had seen"}
    </li>
  </ul>`;
}
