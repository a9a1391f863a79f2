// The headline numbers: each with its change against the comparison period and its definition.
// A card is {id, label, value (the API's number), text (formatted), change, changeText,
// definition, note, then, thenText}; pages list theirs, so that a card is one more entry. `then`
// is the comparison period's own figure, for numbers whose change the API does not work out.
import { html } from "../lib/html.js";
import { Help } from "./help.js";

export function Cards({ cards, versus }) {
  return html`<ul class="cards" aria-label="Headline numbers">
    ${cards.map(
      (card) => html`<li class="card" data-metric=${card.id} key=${card.id}>
        <div class="card-label">
          <span>${card.label}</span>
          <${Help} label=${card.label} text=${card.definition} />
        </div>
        <div class="card-value" data-value=${raw(card.value)}>${card.text}</div>
        ${card.note ? html`<div class="card-note muted">${card.note}</div>` : null}
        ${card.change !== undefined
          ? html`<div class=${`card-change ${trend(card.change)}`} data-value=${raw(card.change)}>
              <span class="sr-only">Change: </span>${card.changeText}
              ${versus ? html` <span class="muted">${versus}</span>` : null}
            </div>`
          : null}
        ${card.then !== undefined
          ? html`<div class="card-then muted" data-value=${raw(card.then)}>${thenLabel(versus)}: ${card.thenText}</div>`
          : null}
      </li>`,
    )}
  </ul>`;
}

function thenLabel(versus) {
  return versus === "vs a year earlier" ? "A year earlier" : "The period before";
}

function trend(change) {
  if (change === null || change === undefined || change === 0) return "flat";
  return change > 0 ? "up" : "down";
}

/** A value as a data attribute holds it: the API's number as text, "" for none. */
export function raw(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
