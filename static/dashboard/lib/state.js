// The state of every view lives in the URL: the page's path and its query string hold all that a
// view shows (scope, range, interval, comparison, filters, time zone, what counts as a play), so
// that a pasted link shows the same view, and Back and Forward step through the views.

import { INTERVALS, RANGES, addDays, defaultInterval, isDate, todayIn } from "./period.js";

export const COMPARES = { previous: "Previous period", year: "A year earlier", off: "No comparison" };
export const MINIMUMS = [0, 1, 3, 10, 30];
export const FILTERS = ["page", "browser", "device", "platform"];
export const SORTS = [
  "plays",
  "total_view_time",
  "average_view_time",
  "average_percent_watched",
  "duration",
  "identifier",
];

// What every view of the data shares (carried from page to page), in the order the URL lists it.
const SHARED = ["key", "video", "range", "from", "to", "interval", "compare", "tz", "min", ...FILTERS];
// What belongs to one page only.
const OWN = ["sort", "order", "search", "offset", "show"];

export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The state a URL holds, with every missing or unusable value replaced by its default. */
export function readState(location = window.location) {
  const query = new URLSearchParams(location.search);
  const get = (name) => {
    const value = query.get(name);
    return value === null || value === "" ? null : value;
  };
  const tz = get("tz") || browserZone();
  let range = get("range") in RANGES ? get("range") : "30d";
  let from = get("from");
  let to = get("to");
  if (range === "custom" && !(isDate(from) && isDate(to) && from <= to)) {
    // A custom range needs two dates in order; without them it is the last 30 days, spelled out.
    to = safeToday(tz);
    from = addDays(to, -29);
  }
  if (range !== "custom") from = to = null;
  const interval = get("interval") in INTERVALS ? get("interval") : defaultInterval(range, from, to);
  const min = Number(get("min"));
  const sort = SORTS.includes(get("sort")) ? get("sort") : "plays";
  const order = ["asc", "desc"].includes(get("order")) ? get("order") : sort === "identifier" ? "asc" : "desc";
  const offset = Number.parseInt(get("offset") || "0", 10);
  return {
    path: location.pathname,
    key: get("key"),
    video: get("video"),
    range,
    from,
    to,
    interval,
    compare: get("compare") in COMPARES ? get("compare") : "previous",
    tz,
    min: get("min") !== null && MINIMUMS.includes(min) ? min : 1,
    page: get("page"),
    browser: get("browser"),
    device: get("device"),
    platform: get("platform"),
    sort,
    order,
    search: get("search") || "",
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
    show: new Set((get("show") || "").split(",").filter(Boolean)),
  };
}

function safeToday(zone) {
  try {
    return todayIn(zone);
  } catch {
    return todayIn("UTC");
  }
}

/** The URL of `path` with the state's shared values (and, with `own`, its page's), changed by `patch`. */
export function urlFor(path, state, patch = {}, { own = false } = {}) {
  const next = { ...state, ...patch };
  const query = new URLSearchParams();
  const defaults = { sort: "plays", order: next.sort === "identifier" ? "asc" : "desc", search: "", offset: 0 };
  for (const name of own ? [...SHARED, ...OWN] : SHARED) {
    let value = next[name];
    if (name === "show") value = [...(value || [])].sort().join(",");
    if (name in defaults && value === defaults[name]) continue;
    if ((name === "from" || name === "to") && next.range !== "custom") continue;
    if (value === null || value === undefined || value === "") continue;
    query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Go to `url` in this page (history entry and all), and tell the app to show it. */
export function navigate(url, { replace = false } = {}) {
  if (url === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  window.dispatchEvent(new Event("vm:navigate"));
}

/** A link's click handler: stay in the page for a plain click, let the browser do the rest. */
export function follow(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.currentTarget;
  if (link.target || link.hasAttribute("download") || link.origin !== window.location.origin) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
}
