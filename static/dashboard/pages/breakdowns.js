// The tables of plays by page, browser, device and platform over the whole period (the API's
// totals), each row a link that filters the view to it. Shared by the overview and a video's page.
import { html } from "../lib/html.js";
import { navigate, urlFor } from "../lib/state.js";
import { DEFINITIONS } from "../lib/definitions.js";
import { DataTable } from "../components/table.js";
import * as format from "../lib/format.js";

const BREAKDOWNS = [
  { id: "browser", title: "Browsers", field: "browser", label: "Browser" },
  { id: "device", title: "Devices", field: "device_type", label: "Device" },
  { id: "platform", title: "Platforms", field: "platform", label: "Platform" },
];

/** The pages table: the API's plays per page over the period, most played first. */
export function PagesTable({ state, sources, total, fileName, limit = 10 }) {
  const all = state.show.has("all-pages");
  const rows = all ? sources.pages : sources.pages.slice(0, limit);
  const more = sources.pages.length > limit;
  const toggle = () => {
    const show = new Set(state.show);
    if (all) show.delete("all-pages");
    else show.add("all-pages");
    navigate(urlFor(state.path, state, { show }, { own: true }));
  };
  return html`<${DataTable}
    id="pages"
    title=${more && !all ? `Top pages (${limit} of ${format.count(sources.pages.length)})` : "Pages"}
    extra=${more ? html`<button type="button" class="quiet" onClick=${toggle}>${all ? "Show the top 10" : "Show all"}</button>` : null}
    help="Plays per page the video was played on: the page's address without its query string."
    columns=${[
      { key: "path", label: "Page", value: (row) => row.path, text: (row) => html`<span class="path" title=${row.path}>${row.path.replace(/^https?:\/\//, "")}</span>` },
      { key: "views", label: "Plays", numeric: true, share: true, value: (row) => row.views, text: (row) => format.count(row.views) },
    ]}
    rows=${rows}
    total=${total}
    link=${(row) => urlFor(state.path, state, { page: row.path }, { own: true })}
    fileName=${fileName("pages")}
    empty="No plays on any page in this period."
  />`;
}

/** Browsers, devices, platforms: the categories with plays, most first. */
export function Breakdowns({ state, totals, fileName }) {
  return BREAKDOWNS.map(({ id, title, field, label }) => {
    const rows = Object.entries(totals[field])
      .filter(([, plays]) => plays > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([name, plays]) => ({ name, plays }));
    return html`<${DataTable}
      key=${id}
      id=${id}
      title=${title}
      help=${`Plays by the ${label.toLowerCase()} they were watched in, read from the browser's User-Agent (which is then forgotten). ${DEFINITIONS.plays}`}
      columns=${[
        { key: id, label, value: (row) => row.name, text: (row) => format.category(row.name) },
        { key: "views", label: "Plays", numeric: true, share: true, value: (row) => row.plays, text: (row) => format.count(row.plays) },
      ]}
      rows=${rows}
      total=${totals.views}
      link=${(row) => urlFor(state.path, state, { [id]: row.name }, { own: true })}
      fileName=${fileName(id)}
      empty="No plays in this period."
    />`;
  });
}
