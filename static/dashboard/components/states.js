// What a view says while it loads, when there is nothing to show yet, and when it cannot show.
import { html, useEffect, useState } from "../lib/html.js";
import { ALL_KEYS, get } from "../lib/api.js";
import { Snippet } from "./snippet.js";

export function Loading({ label = "Loading…" }) {
  return html`<p class="loading" role="status" aria-live="polite">${label}</p>`;
}

export function ErrorNotice({ error, onRetry }) {
  const kind = error && error.kind;
  let title = "Something went wrong";
  let advice = null;
  if (kind === "unreachable") {
    title = "The server cannot be reached";
    advice = "Check that video-metrics is running and that this computer can reach it, then try again.";
  } else if (kind === "auth") {
    title = "Sign-in needed";
    advice = "The server did not accept this browser's sign-in. Reload the page to sign in again.";
  } else if (kind === "refused") {
    title = "The API refused this view";
    advice = ["query", "video", "page", "identifier"].includes(error.parameter)
      ? "Check the scope and the filters above: remove the filter, or correct the metadata JSON."
      : "Change the settings above, or go back.";
  } else if (kind === "server") {
    title = "The server could not answer";
    advice = "It may be busy or its database away; try again in a moment.";
  }
  return html`<div class="notice error" role="alert">
    <strong>${title}.</strong>
    ${error && error.message ? html` <span class="api-error">${error.message}</span>` : null}
    ${advice ? html`<p>${advice}</p>` : null}
    ${kind === "auth"
      ? html`<button type="button" onClick=${() => window.location.reload()}>Reload and sign in</button>`
      : onRetry
        ? html`<button type="button" onClick=${onRetry}>Try again</button>`
        : null}
  </div>`;
}

/** No plays in the period: how to get some, with the snippet of the view's key (or the first). */
export function Empty({ state }) {
  const own = state.key && state.key !== ALL_KEYS ? state.key : null;
  const [key, setKey] = useState(own);
  useEffect(() => {
    if (own) return setKey(own);
    get("keys", {})
      .then((answer) => {
        const active = answer.keys.find((k) => k.disabled_at === null);
        setKey(active ? active.key : null);
      })
      .catch(() => setKey(null));
  }, [own]);
  return html`<section class="panel empty" aria-labelledby="empty-title">
    <h2 id="empty-title">No plays here yet</h2>
    <p>
      Nothing was played for this scope in this period. If you have just installed video-metrics, put the snippet
      below beside your video player; plays show up here within seconds of the first one.
    </p>
    ${key ? html`<${Snippet} apiKey=${key} />` : html`<p>Create a key on the <a href="/keys">Keys</a> page first.</p>`}
    <p>
      Or try it out: open <a href="/demo" target="_blank" rel="noopener">the demo page</a>, play the clip, and come
      back here (the demo records with a key of its own).
    </p>
  </section>`;
}
