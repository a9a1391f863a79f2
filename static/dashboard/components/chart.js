// A chart (uPlot, vendored) that can also be shown as the table of its numbers: the table is
// what a keyboard or a screen reader uses, and what its CSV download holds. Which of the two is
// shown is part of the view's URL (`show`).
import { html, useEffect, useRef, useState } from "../lib/html.js";
import { navigate, urlFor } from "../lib/state.js";
import { DataTable } from "./table.js";
import { Help } from "./help.js";

/** The theme's colours, read from the page's CSS so that charts follow light and dark. */
export function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    main: read("--chart-main"),
    compare: read("--chart-compare"),
    line: read("--chart-line"),
    retention: read("--chart-retention"),
    grid: read("--chart-grid"),
    text: read("--muted"),
    bad: read("--bad-soft"),
    badLine: read("--bad"),
    warn: read("--warn-soft"),
    warnLine: read("--warn"),
  };
}

function useTheme() {
  const [theme, setTheme] = useState(0);
  useEffect(() => {
    const changed = () => setTheme((n) => n + 1);
    const system = window.matchMedia("(prefers-color-scheme: dark)");
    window.addEventListener("vm:theme", changed);
    system.addEventListener("change", changed);
    return () => {
      window.removeEventListener("vm:theme", changed);
      system.removeEventListener("change", changed);
    };
  }, []);
  return theme;
}

export function Chart({ id, title, help, state, build, table, summary, legend, children }) {
  const asTable = state.show.has(id);
  const toggle = (wanted) => {
    const show = new Set(state.show);
    if (wanted) show.add(id);
    else show.delete(id);
    navigate(urlFor(state.path, state, { show }, { own: true }), { replace: false });
  };
  return html`<section class="panel chart-panel" aria-labelledby=${`${id}-title`}>
    <div class="panel-head">
      <h2 id=${`${id}-title`}>${title}${help ? html` <${Help} label=${title} text=${help} />` : null}</h2>
      <div class="panel-actions" role="group" aria-label=${`${title}: show as`}>
        <button type="button" class="quiet" aria-pressed=${!asTable} onClick=${() => toggle(false)}>Chart</button>
        <button type="button" class="quiet" aria-pressed=${asTable} data-show-table=${id} onClick=${() => toggle(true)}>
          Table
        </button>
      </div>
    </div>
    ${asTable
      ? html`<${DataTable} id=${`${id}-table`} title="The numbers" bare=${true} ...${table} />`
      : html`<${Plot} build=${build} summary=${summary} id=${id} />${legend}`}
    ${children}
  </section>`;
}

function Plot({ build, summary, id }) {
  const box = useRef(null);
  const theme = useTheme();
  useEffect(() => {
    const element = box.current;
    if (!element || !window.uPlot) return undefined;
    const width = Math.max(element.clientWidth, 200);
    const { options, data } = build(palette(), width);
    const plot = new window.uPlot({ width, ...options }, data, element);
    const resized = new ResizeObserver(() => {
      const next = Math.max(element.clientWidth, 200);
      if (Math.abs(next - plot.width) > 1) plot.setSize({ width: next, height: plot.height });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [build, theme]);
  return html`<div class="plot" ref=${box} role="img" aria-label=${summary} data-chart=${id}></div>`;
}
