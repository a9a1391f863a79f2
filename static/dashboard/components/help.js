// A number's definition, a click (or, through the title, a hover) away; keyboard-usable as it is
// a <details> element.
import { html } from "../lib/html.js";

export function Help({ text, label }) {
  return html`<details class="help">
    <summary title=${text} aria-label=${`What does "${label}" mean?`}>?</summary>
    <p class="help-text">${text}</p>
  </details>`;
}
