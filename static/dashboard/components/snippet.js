// The lines a site owner pastes beside a video player, for one key, with a copy button.
import { html, useRef, useState } from "../lib/html.js";

export function snippetText(apiKey, origin = window.location.origin) {
  const socket = origin.replace(/^http/, "ws") + "/socket";
  return [
    `<script src="${origin}/static/metrics.js"></script>`,
    "<script>",
    `  Metrics.config = { apiKey: ${JSON.stringify(apiKey)}, socketPath: ${JSON.stringify(socket)} };`,
    '  new Metrics("#my-video", "My video", { id: "my-video-1" }).monitor();',
    "</script>",
  ].join("\n");
}

async function copy(text, area) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (a page served over plain http from another host): select and copy.
    area.focus();
    area.select();
    return document.execCommand("copy");
  }
}

export function Snippet({ apiKey }) {
  const [copied, setCopied] = useState(null);
  const text = snippetText(apiKey);
  const area = useRef(null);
  return html`<div class="snippet">
    <textarea
      readonly
      rows="5"
      spellcheck="false"
      aria-label=${`Embed snippet for key ${apiKey}`}
      ref=${area}
      value=${text}
    ></textarea>
    <div class="snippet-actions">
      <button type="button" onClick=${async () => setCopied(await copy(text, area.current))}>Copy snippet</button>
      <span class="muted" role="status">${copied === true ? "Copied." : copied === false ? "Select the text and copy it." : ""}</span>
    </div>
    <p class="muted small">
      Replace <code>#my-video</code> with your player's selector, and the label and metadata with your video's.
      More in the snippet's guide (docs/SNIPPET.md).
    </p>
  </div>`;
}
