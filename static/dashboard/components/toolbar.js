// The controls of a view: scope (a key, a metadata filter), period, bucket width, comparison,
// what counts as a play, time zone; and the filters a click on a row set, each removable. Every
// control only changes the URL: the page follows it.
import { html, useEffect, useState } from "../lib/html.js";
import { INTERVALS, RANGES } from "../lib/period.js";
import { COMPARES, MINIMUMS, browserZone, navigate, urlFor } from "../lib/state.js";
import { keys, onKeysChanged } from "../lib/keys.js";
import { ALL_KEYS } from "../lib/api.js";
import { playRule } from "../lib/definitions.js";
import * as format from "../lib/format.js";

const ALL = ["scope", "range", "interval", "compare", "min", "tz"];

function useKeys() {
  const [list, setList] = useState([]);
  useEffect(() => {
    let live = true;
    const load = () => keys().then((found) => live && setList(found), () => live && setList([]));
    load();
    const stop = onKeysChanged(load);
    return () => {
      live = false;
      stop();
    };
  }, []);
  return list;
}

let zoneNames = null;
function zones(current) {
  zoneNames ||= typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const first = [browserZone(), "UTC"];
  const rest = zoneNames.filter((name) => !first.includes(name));
  const all = [...new Set([...first, ...rest])];
  return all.includes(current) ? all : [current, ...all];
}

export function Toolbar({ state, controls = ALL, filters = true }) {
  const go = (patch) => navigate(urlFor(state.path, state, { offset: 0, ...patch }, { own: true }));
  const has = (name) => controls.includes(name);
  return html`<div class="toolbar-block">
    <form class="toolbar" onSubmit=${(event) => event.preventDefault()} aria-label="View settings">
      ${has("scope") ? html`<${Scope} state=${state} go=${go} />` : null}
      ${has("range") ? html`<${Range} state=${state} go=${go} />` : null}
      ${has("interval")
        ? html`<label class="field">
            <span>Buckets</span>
            <select name="interval" value=${state.interval} onChange=${(e) => go({ interval: e.target.value })}>
              ${Object.entries(INTERVALS).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            </select>
          </label>`
        : null}
      ${has("compare")
        ? html`<label class="field">
            <span>Compare with</span>
            <select name="compare" value=${state.compare} onChange=${(e) => go({ compare: e.target.value })}>
              ${Object.entries(COMPARES).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            </select>
          </label>`
        : null}
      ${has("min")
        ? html`<label class="field">
            <span>What counts as a play</span>
            <select name="min" value=${String(state.min)} onChange=${(e) => go({ min: Number(e.target.value) })}>
              ${MINIMUMS.map(
                (seconds) => html`<option value=${String(seconds)}>
                  ${seconds === 0 ? "Every playback" : `At least ${seconds} s watched`}
                </option>`,
              )}
            </select>
          </label>`
        : null}
      ${has("tz")
        ? html`<label class="field zone">
            <span>Time zone</span>
            <select name="tz" class="badge" value=${state.tz} onChange=${(e) => go({ tz: e.target.value })}>
              ${zones(state.tz).map(
                (name) => html`<option value=${name}>${name === browserZone() ? `${name} (this browser)` : name}</option>`,
              )}
            </select>
          </label>`
        : null}
    </form>
    ${has("min") ? html`<p class="play-rule muted small" data-play-rule>${playRule(state.min)}</p>` : null}
    ${filters ? html`<${Chips} state=${state} go=${go} />` : null}
  </div>`;
}

function Scope({ state, go }) {
  const list = useKeys();
  const known = state.key === ALL_KEYS || list.some((k) => k.key === state.key);
  const [text, setText] = useState(state.video || "");
  useEffect(() => setText(state.video || ""), [state.video]);
  return html`
    <label class="field">
      <span>Key</span>
      <select name="key" value=${state.key} onChange=${(e) => go({ key: e.target.value })}>
        <option value=${ALL_KEYS}>All keys</option>
        ${state.key && !known ? html`<option value=${state.key}>${state.key}</option>` : null}
        ${list.map(
          (k) => html`<option value=${k.key}>${k.key}${k.demo ? " (demo)" : ""}${k.disabled_at ? " (revoked)" : ""}</option>`,
        )}
      </select>
    </label>
    <label class="field metadata">
      <span>Videos whose metadata contains</span>
      <input
        name="video"
        type="text"
        spellcheck="false"
        autocomplete="off"
        placeholder='e.g. {"series": "tutorials"}'
        value=${text}
        onInput=${(e) => setText(e.target.value)}
        onKeyDown=${(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            go({ video: e.target.value.trim() || null });
          }
        }}
        onBlur=${(e) => {
          const value = e.target.value.trim() || null;
          if (value !== state.video) go({ video: value });
        }}
      />
    </label>`;
}

function Range({ state, go }) {
  return html`
    <label class="field">
      <span>Period</span>
      <select
        name="range"
        value=${state.range}
        onChange=${(e) => go({ range: e.target.value, interval: null, from: null, to: null })}
      >
        ${Object.entries(RANGES).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>
    </label>
    ${state.range === "custom"
      ? html`<label class="field">
            <span>From</span>
            <input type="date" name="from" value=${state.from} max=${state.to}
              onChange=${(e) => e.target.value && go({ from: e.target.value })} />
          </label>
          <label class="field">
            <span>To</span>
            <input type="date" name="to" value=${state.to} min=${state.from}
              onChange=${(e) => e.target.value && go({ to: e.target.value })} />
          </label>`
      : null}`;
}

const FILTER_LABELS = { video: "Video", page: "Page", browser: "Browser", device: "Device", platform: "Platform" };

function Chips({ state, go }) {
  const active = Object.keys(FILTER_LABELS).filter((name) => state[name] && !(name === "video" && state.path === "/video"));
  if (!active.length) return null;
  return html`<div class="chips" aria-label="Filters">
    ${active.map((name) => {
      const value = ["browser", "device", "platform"].includes(name) ? format.category(state[name]) : state[name];
      return html`<button type="button" class="chip" data-filter=${name} onClick=${() => go({ [name]: null })}
        aria-label=${`Remove the filter ${FILTER_LABELS[name]}: ${value}`}>
        <span>${FILTER_LABELS[name]}: ${value}</span><span aria-hidden="true"> ✕</span>
      </button>`;
    })}
  </div>`;
}
