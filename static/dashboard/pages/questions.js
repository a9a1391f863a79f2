// What each page asks the API, as plain descriptions {name: [endpoint, params]} of its URL state.
// Kept apart from the pages' components so that prefetch.js can ask them while the rest of the
// dashboard's modules are still loading (docs/DASHBOARD.md lists them, per page).
import { ApiError, metadataOf, periodParams, scopeQuery, sessionParams } from "../lib/api.js";
import { timeframe } from "../lib/period.js";

// The video's length is cut into this many equal ranges.
export const RANGES = 50;
// The Live page's window, and the videos page's page.
export const LIVE_WINDOW = "30 minutes";
export const VIDEOS_PAGE = 50;
// The Quality page's whole-period figures: /qoe with one bucket wider than any period (buckets
// start on 2000-01-01, so every session of this century falls in one), as the API answers them
// (a percentile of the period cannot be made from its buckets' percentiles).
export const WHOLE_PERIOD = "100 years";
// The error groups listed, most sessions first.
export const ERROR_GROUPS = 50;

export function overview(state) {
  const sessions = sessionParams(state);
  const period = periodParams(state);
  return {
    videos: ["videos", { ...sessions, timeframe: period.timeframe, compare: period.compare, limit: 10 }],
    plays: ["plays", { ...sessions, ...period }],
    // Only the pages' totals are read: the widest buckets keep the answer small.
    sources: ["sources", { ...sessions, timeframe: period.timeframe, interval: "12 months" }],
    watching: ["watching", { query: sessions.query, timezone: state.tz }],
  };
}

export function videoList(state) {
  const params = { ...sessionParams(state), timeframe: timeframe(state), sort: state.sort, order: state.order };
  params.limit = VIDEOS_PAGE;
  if (state.offset) params.offset = state.offset;
  if (state.search) params.search = state.search;
  return { videos: ["videos", params] };
}

export function video(state) {
  if (!state.video) {
    throw new ApiError("refused", "video: this page needs a video; pick one on the Videos page", { parameter: "video" });
  }
  metadataOf(state.video);
  const sessions = sessionParams(state);
  const period = periodParams(state);
  return {
    videos: ["videos", { ...sessions, timeframe: period.timeframe, compare: period.compare, limit: 5 }],
    plays: ["plays", { ...sessions, ...period }],
    engagement: ["engagement", { ...sessions, timeframe: period.timeframe, compare: period.compare, ranges: RANGES }],
    sources: ["sources", { ...sessions, timeframe: period.timeframe, interval: "12 months" }],
    watching: ["watching", { query: sessions.query, timezone: state.tz, timeframe: period.timeframe }],
  };
}

export function quality(state) {
  // Quality is over views, not plays: the API takes no minimum_watch_seconds for it.
  const { minimum_watch_seconds: unused, ...sessions } = sessionParams(state);
  const period = periodParams(state);
  const compare = period.compare;
  return {
    qoe: ["qoe", { ...sessions, ...period }],
    whole: ["qoe", { ...sessions, timeframe: period.timeframe, interval: WHOLE_PERIOD, compare }],
    errors: ["errors", { ...sessions, timeframe: period.timeframe, compare, limit: ERROR_GROUPS }],
  };
}

export function live(state) {
  const common = { query: scopeQuery(state), timezone: state.tz };
  return {
    watching: ["watching", { ...common, by: "video", timeframe: LIVE_WINDOW }],
    pages: ["watching", { ...common, by: "page" }],
    plays: ["plays", { ...common, interval: "1 minute", timeframe: LIVE_WINDOW, minimum_watch_seconds: state.min }],
  };
}

/** The questions of the page at `path`, or null for a page that asks none of its state. */
export const QUESTIONS = { "/": overview, "/videos": videoList, "/video": video, "/quality": quality, "/live": live };
