// A page's title, and what its numbers are about: the scope, and the period as the API resolved
// it, on the view's clock.
import { html } from "../lib/html.js";
import { RANGES } from "../lib/period.js";
import * as format from "../lib/format.js";
import { ALL_KEYS } from "../lib/api.js";

export function scopeLabel(state) {
  const parts = [];
  if (state.key && state.key !== ALL_KEYS) parts.push(`key ${state.key}`);
  if (state.video && state.path !== "/video") parts.push(`videos with ${state.video}`);
  return parts.length ? parts.join(", ") : "all keys";
}

/** The resolved period on the view's clock: days for ranges of days, times within a day. */
export function periodText(state, period) {
  if (state.range === "today" || state.range === "yesterday") {
    return `${format.moment(period.from, state.tz)} – ${format.time(period.to, state.tz)}`;
  }
  return `${format.day(period.from, state.tz)} – ${format.day(period.to, state.tz)}`;
}

export function PageHeading({ title, state, answer, children }) {
  const period = answer && answer.timeframe;
  return html`<div class="page-head">
    <h1>${title}</h1>
    <p class="muted">
      ${scopeLabel(state)}
      ${period ? html` · <span data-period>${RANGES[state.range]}: ${periodText(state, period)}</span>` : null}
    </p>
    ${children}
  </div>`;
}
