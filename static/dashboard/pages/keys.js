// The API keys: create one (random, or a name of your own), list them, revoke one after saying
// what that does, and the snippet to embed for each.
import { html, useEffect, useRef, useState } from "../lib/html.js";
import { get, post, remove } from "../lib/api.js";
import { useLoad } from "../lib/load.js";
import { keysChanged } from "../lib/keys.js";
import { follow, urlFor } from "../lib/state.js";
import { fileName } from "../lib/csv.js";
import * as format from "../lib/format.js";
import { DataTable } from "../components/table.js";
import { Snippet } from "../components/snippet.js";
import { ErrorNotice, Loading } from "../components/states.js";

export function Keys({ state }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState(null);
  const [open, setOpen] = useState(null); // the key whose snippet is shown
  const [revoking, setRevoking] = useState(null);
  const { data, error } = useLoad((signal) => ({ keys: get("keys", {}, signal) }), version);
  const changed = (message, key = null) => {
    setNotice(message);
    if (key) setOpen(key);
    setVersion((n) => n + 1);
    keysChanged();
  };
  return html`
    <div class="page-head">
      <h1>Keys</h1>
      <p class="muted">
        A key lets pages record playbacks; it is public (it sits in the page's source) and cannot read anything.
        Give each site its own, so that you can tell them apart and revoke one alone.
      </p>
    </div>
    <${CreateKey} onCreated=${(key) => changed(html`Key <code>${key}</code> created. Its snippet is below.`, key)} />
    ${notice ? html`<p class="notice ok" role="status">${notice}</p>` : null}
    ${error ? html`<${ErrorNotice} error=${error} onRetry=${() => setVersion((n) => n + 1)} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data
      ? html`<${DataTable}
          id="keys"
          title="Your keys"
          columns=${[
            { key: "key", label: "Key", value: (row) => row.key, text: (row) => html`<code class="key">${row.key}</code>` },
            { key: "created_at", label: "Created", value: (row) => row.created_at, text: (row) => format.moment(row.created_at, state.tz) },
            {
              key: "disabled_at",
              label: "Status",
              value: (row) => row.disabled_at,
              text: (row) => (row.disabled_at ? `Revoked ${format.moment(row.disabled_at, state.tz)}` : "Active"),
            },
            { key: "demo", label: "Used by", value: (row) => row.demo, text: (row) => (row.demo ? "the demo page" : "") },
          ]}
          rows=${data.keys.keys}
          action=${(row) => html`<div class="row-actions">
            <a href=${urlFor("/", state, { key: row.key, video: null })} onClick=${follow}>Overview</a>
            <button type="button" class="quiet" aria-expanded=${open === row.key} onClick=${() => setOpen(open === row.key ? null : row.key)}>
              Snippet
            </button>
            ${row.disabled_at
              ? null
              : html`<button type="button" class="quiet danger" data-revoke=${row.key} onClick=${() => setRevoking(row.key)}>Revoke</button>`}
          </div>`}
          fileName=${fileName("keys", { scope: "all", zone: state.tz })}
          empty="No keys yet: create one above."
        />`
      : null}
    ${open
      ? html`<section class="panel" aria-labelledby="snippet-title">
          <h2 id="snippet-title">Embed snippet for <code>${open}</code></h2>
          <p class="muted">Put this beside your video player (hls.js and video.js work too: see the snippet's guide).</p>
          <${Snippet} apiKey=${open} />
        </section>`
      : null}
    <${Revoke}
      apiKey=${revoking}
      onClose=${() => setRevoking(null)}
      onRevoked=${(key) => {
        setRevoking(null);
        if (open === key) setOpen(null);
        changed(html`Key <code>${key}</code> revoked: pages using it can no longer record. What they recorded stays.`);
      }}
    />
  `;
}

function CreateKey({ onCreated }) {
  const [custom, setCustom] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await post("keys", custom.trim() ? { key: custom.trim() } : {});
      setCustom("");
      onCreated(answer.key);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="panel create-key" onSubmit=${submit}>
    <h2>Create a key</h2>
    <div class="toolbar">
      <label class="field">
        <span>Name (optional; random when empty)</span>
        <input name="new-key" value=${custom} placeholder="my-site" maxlength="128" spellcheck="false"
          onInput=${(e) => setCustom(e.target.value)} />
      </label>
      <button type="submit" class="primary" disabled=${busy}>Create key</button>
    </div>
    ${error ? html`<${ErrorNotice} error=${error} />` : null}
  </form>`;
}

function Revoke({ apiKey, onClose, onRevoked }) {
  const dialog = useRef(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (apiKey && !element.open) {
      setError(null);
      element.showModal();
    }
    if (!apiKey && element.open) element.close();
  }, [apiKey]);
  const confirm = async () => {
    try {
      await remove(`keys/${encodeURIComponent(apiKey)}`);
      onRevoked(apiKey);
    } catch (problem) {
      setError(problem);
    }
  };
  return html`<dialog ref=${dialog} onClose=${onClose} aria-labelledby="revoke-title">
    <h2 id="revoke-title">Revoke <code>${apiKey}</code>?</h2>
    <p>
      Pages that use this key stop recording at once: every new playback with it is refused. Playbacks it recorded
      stay, and stay readable. A revoked key cannot be used again.
    </p>
    ${error ? html`<${ErrorNotice} error=${error} />` : null}
    <div class="dialog-actions">
      <button type="button" onClick=${() => dialog.current.close()} autofocus>Cancel</button>
      <button type="button" class="danger" data-confirm-revoke onClick=${confirm}>Revoke the key</button>
    </div>
  </dialog>`;
}
