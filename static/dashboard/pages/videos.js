// Every video with plays in the period: sortable, searchable, a page at a time, each linking to
// its own page. The table is /videos' answer as it is, so its columns are the API's CSV's.
import { html, useEffect, useState } from "../lib/html.js";
import { apiUrl, ask } from "../lib/api.js";
import { VIDEOS_PAGE, videoList } from "./questions.js";
import { useLoad } from "../lib/load.js";
import { follow, navigate, urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import * as format from "../lib/format.js";
import { PageHeading } from "../components/heading.js";
import { Toolbar } from "../components/toolbar.js";
import { DataTable } from "../components/table.js";
import { Empty, ErrorNotice, Loading } from "../components/states.js";
import { filesOf, question } from "./overview.js";

export function Videos({ state }) {
  const { data, error, loading } = useLoad(
    (signal) => ask(videoList(state), signal),
    question(state) + JSON.stringify([state.sort, state.order, state.search, state.offset]),
  );
  const answer = data && data.videos;
  return html`
    <${PageHeading} title="Videos" state=${state} answer=${answer} />
    <${Toolbar} state=${state} controls=${["scope", "range", "min", "tz"]} />
    <${Search} state=${state} />
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => window.location.reload()} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${answer ? html`<div class=${loading ? "stale" : ""} aria-busy=${loading}><${List} state=${state} answer=${answer} /></div>` : null}
  `;
}

function Search({ state }) {
  const [text, setText] = useState(state.search);
  useEffect(() => setText(state.search), [state.search]);
  useEffect(() => {
    if (text === state.search) return undefined;
    // Typing narrows the list as it goes; one history entry per search, not per key stroke.
    const timer = setTimeout(() => navigate(urlFor(state.path, state, { search: text, offset: 0 }, { own: true }), { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<div class="search">
    <label class="field">
      <span>Search the labels</span>
      <input type="search" name="search" value=${text} placeholder="Launch film" onInput=${(e) => setText(e.target.value)} />
    </label>
  </div>`;
}

function List({ state, answer }) {
  if (answer.totals.videos === 0 && !state.search) return html`<${Empty} state=${state} />`;
  const sortHref = (key) => {
    const order = state.sort === key ? (state.order === "asc" ? "desc" : "asc") : key === "identifier" ? "asc" : "desc";
    return urlFor(state.path, state, { sort: key, order, offset: 0 }, { own: true });
  };
  const first = answer.videos.length ? state.offset + 1 : 0;
  const last = state.offset + answer.videos.length;
  const wholeList = apiUrl("videos", { ...videoList(state).videos[1], limit: 1000, offset: undefined, format: "csv" });
  return html`
    <${DataTable}
      id="video-list"
      title=${`${format.count(answer.totals.videos)} videos`}
      help=${DEFINITIONS.plays + " " + DEFINITIONS.average_percent_watched}
      columns=${[
        { key: "identifier", label: "Video", sortable: true, value: (row) => row.identifier, text: (row) => row.identifier || "(no label)" },
        { key: "metadata", label: "Metadata", value: (row) => row.metadata, text: (row) => html`<code>${JSON.stringify(row.metadata)}</code>` },
        { key: "duration", label: "Length", numeric: true, sortable: true, value: (row) => row.duration, text: (row) => (row.duration === null ? "—" : format.position(row.duration)) },
        { key: "plays", label: "Plays", numeric: true, sortable: true, value: (row) => row.plays, text: (row) => format.count(row.plays) },
        { key: "total_view_time", label: "Total view time", numeric: true, sortable: true, value: (row) => row.total_view_time, text: (row) => format.duration(row.total_view_time) },
        { key: "average_view_time", label: "Average view time", numeric: true, sortable: true, value: (row) => row.average_view_time, text: (row) => format.duration(row.average_view_time) },
        { key: "average_percent_watched", label: "Average % watched", numeric: true, sortable: true, value: (row) => row.average_percent_watched, text: (row) => format.percent(row.average_percent_watched) },
      ]}
      rows=${answer.videos}
      sort=${{ by: state.sort, order: state.order, href: sortHref }}
      link=${(row) => urlFor("/video", state, { video: JSON.stringify(row.metadata) })}
      fileName=${filesOf(state, answer)("videos")}
      empty=${state.search ? `No video's label contains “${state.search}”.` : "No videos."}
      extra=${html`<a class="quiet button" href=${wholeList} download>Whole list (API CSV)</a>`}
    />
    <nav class="pager" aria-label="Pages of the list">
      <span class="muted">${format.count(first)}–${format.count(last)} of ${format.count(answer.totals.videos)}</span>
      ${state.offset > 0
        ? html`<a href=${urlFor(state.path, state, { offset: Math.max(0, state.offset - VIDEOS_PAGE) }, { own: true })} onClick=${follow}>Previous</a>`
        : null}
      ${answer.next_offset !== null
        ? html`<a href=${urlFor(state.path, state, { offset: answer.next_offset }, { own: true })} onClick=${follow}>Next</a>`
        : null}
    </nav>
  `;
}
