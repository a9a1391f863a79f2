// A table of numbers the API answered, with share bars, links that filter the view, and a CSV
// download of exactly what it shows: its columns and rows, each value as the API gave it.
//
// columns: [{key, label, value(row) → the API's value, text(row) → what the cell shows,
//            numeric, share (drawn as a bar of `total` behind the row's first cell), sortable}]
// action(row): a last cell with a link of its own (not part of the numbers, nor of the CSV).
import { html } from "../lib/html.js";
import { csvText, download } from "../lib/csv.js";
import { follow, navigate } from "../lib/state.js";
import { raw } from "./cards.js";
import { Help } from "./help.js";

export function DataTable(props) {
  const { id, title, help, columns, rows, link, total, fileName, extra, empty = "Nothing to show.", sort, action, bare } = props;
  const save = () => {
    const header = columns.map((column) => column.key);
    download(fileName, csvText(header, rows.map((row) => columns.map((column) => column.value(row)))));
  };
  return html`<section class=${bare ? "table-panel bare" : "panel table-panel"} aria-labelledby=${`${id}-title`}>
    <div class="panel-head">
      <h2 id=${`${id}-title`}>${title}${help ? html` <${Help} label=${title} text=${help} />` : null}</h2>
      <div class="panel-actions">
        ${extra}
        <button type="button" class="quiet" data-csv=${id} onClick=${save} disabled=${!rows.length}>
          Download CSV
        </button>
      </div>
    </div>
    ${rows.length
      ? html`<div class="scroll">
          <table data-table=${id} class=${columns.length + (action ? 1 : 0) <= 3 ? "compact" : ""}>
            <thead>
              <tr>
                ${columns.map((column) => html`<${Heading} column=${column} sort=${sort} />`)}
                ${action ? html`<th scope="col"><span class="sr-only">Open</span></th>` : null}
              </tr>
            </thead>
            <tbody>
              ${rows.map((row, index) => html`<${Row} key=${index} row=${row} columns=${columns} link=${link} total=${total} action=${action} />`)}
            </tbody>
          </table>
        </div>`
      : html`<p class="muted table-empty">${empty}</p>`}
  </section>`;
}

function Heading({ column, sort }) {
  const className = column.numeric ? "num" : "";
  if (!sort || !column.sortable) return html`<th scope="col" class=${className}>${column.label}</th>`;
  const active = sort.by === column.key;
  const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : undefined;
  return html`<th scope="col" class=${className} aria-sort=${ariaSort}>
    <a href=${sort.href(column.key)} onClick=${follow} class="sort">
      ${column.label}<span aria-hidden="true">${active ? (sort.order === "asc" ? " ▲" : " ▼") : ""}</span>
    </a>
  </th>`;
}

function Row({ row, columns, link, total, action }) {
  const href = link ? link(row) : null;
  // The whole row answers a mouse click; the link in its first cell is what a keyboard reaches.
  const click = href
    ? (event) => {
        if (event.target.closest("a, button, details")) return;
        navigate(href);
      }
    : undefined;
  const shared = columns.find((column) => column.share);
  // A bar's length is drawing, not a number shown: the count beside it is the API's.
  const bar = shared && total ? `${Math.min(100, (100 * (shared.value(row) || 0)) / total)}%` : null;
  return html`<tr class=${href ? "linked" : ""} onClick=${click}>
    ${columns.map((column, index) => {
      const value = column.value(row);
      const text = column.text ? column.text(row) : value;
      const content = index === 0 && href ? html`<a href=${href} onClick=${follow}>${text}</a>` : text;
      return html`<td data-column=${column.key} data-value=${raw(value)} class=${column.numeric ? "num" : ""}>
        ${index === 0 && bar ? html`<span class="share" style=${{ width: bar }}></span>` : null}
        <span class="cell">${content}</span>
      </td>`;
    })}
    ${action ? html`<td class="action">${action(row)}</td>` : null}
  </tr>`;
}
