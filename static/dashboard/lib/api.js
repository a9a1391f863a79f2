// The public REST API, and nothing else: every number the dashboard shows is one the API
// answered, for the parameters this module builds from the URL's state (docs/DASHBOARD.md).

import { intervalParam, timeframe } from "./period.js";

// The `key` of a view of every key (no key can be written with "*").
export const ALL_KEYS = "*";

export class ApiError extends Error {
  /** kind: "unreachable", "auth", "refused" (4xx: the API's own words), "server" (5xx). */
  constructor(kind, message, { status = 0, parameter = null } = {}) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.parameter = parameter;
  }
}

/** A query string: strings as they are, anything else JSON-encoded (as the API reads it). */
export function queryString(params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    query.set(name, typeof value === "string" ? value : JSON.stringify(value));
  }
  return query.toString();
}

export function apiUrl(endpoint, params = {}) {
  const text = queryString(params);
  return `/api/v1/${endpoint}${text ? "?" + text : ""}`;
}

async function call(method, url, body, signal) {
  let response;
  try {
    response = await fetch(url, {
      method,
      signal,
      cache: "no-store",
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("unreachable", "The server cannot be reached. Is video-metrics running?");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (response.ok) return answer;
  const message = (answer && answer.error) || `${method} ${url.split("?")[0]} answered ${response.status}`;
  const parameter = answer && answer.parameter;
  if (response.status === 401) throw new ApiError("auth", message, { status: 401 });
  if (response.status >= 500) throw new ApiError("server", message, { status: response.status });
  throw new ApiError("refused", message, { status: response.status, parameter });
}

// Answers asked for before the page needed them (prefetch.js), by URL; each is taken once.
const early = new Map();

export function prefetch(endpoint, params) {
  const url = apiUrl(endpoint, params);
  const answer = call("GET", url, undefined, undefined);
  answer.catch(() => {}); // a failure is the page's to show, when it takes the answer
  early.set(url, answer);
}

export function get(endpoint, params, signal) {
  const url = apiUrl(endpoint, params);
  const answer = early.get(url);
  if (answer) {
    early.delete(url);
    return answer;
  }
  return call("GET", url, undefined, signal);
}

/** A page's questions (pages/questions.js) asked at once: {name: promise}. */
export function ask(questions, signal) {
  return Object.fromEntries(Object.entries(questions).map(([name, [endpoint, params]]) => [name, get(endpoint, params, signal)]));
}

export function post(path, body) {
  return call("POST", `/api/v1/${path}`, body);
}

export function remove(path) {
  return call("DELETE", `/api/v1/${path}`);
}

/** The videos a view is about: a key, a metadata filter, both, or every video. */
export function scopeQuery(state) {
  const query = {};
  if (state.key && state.key !== ALL_KEYS) query.key = state.key;
  if (state.video !== null && state.video !== undefined) query.video = metadataOf(state.video);
  // {"video": {}} matches every video's metadata: all videos, of every key.
  return Object.keys(query).length ? query : { video: {} };
}

/** A metadata filter's JSON text as an object, or an ApiError naming what is wrong with it. */
export function metadataOf(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("refused", `video: ${JSON.stringify(text)} is not JSON; write metadata like {"id": "42"}`, {
      parameter: "video",
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError("refused", 'video: must be a JSON object of metadata, like {"id": "42"}', {
      parameter: "video",
    });
  }
  return value;
}

/** Which sessions: the scope, the filters, and what counts as a play. */
export function sessionParams(state) {
  const params = {
    query: scopeQuery(state),
    timezone: state.tz,
    minimum_watch_seconds: state.min,
  };
  for (const name of ["page", "browser", "device", "platform"]) {
    if (state[name]) params[name] = state[name];
  }
  return params;
}

/** When: the timeframe, bucket width and comparison of a view. */
export function periodParams(state) {
  const params = { timeframe: timeframe(state), interval: intervalParam(state.interval) };
  if (state.compare !== "off") params.compare = state.compare;
  return params;
}
