// The dashboard: a face of the public REST API (docs/DASHBOARD.md). One shell serves every page;
// the URL holds each view's whole state, so a link or a reload shows the same view.
import { html, render, useEffect, useRef, useState } from "./lib/html.js";
import { navigate, readState, urlFor } from "./lib/state.js";
import { track, viewChanged } from "./lib/load.js";
import { ALL_KEYS } from "./lib/api.js";
import { keys } from "./lib/keys.js";
import { Loading } from "./components/states.js";
import { Layout } from "./components/layout.js";
import { PAGES, component } from "./pages/index.js";

function NotFound() {
  return html`<h1>Not found</h1><p>There is no such page. <a href="/">Go to the overview</a>.</p>`;
}

function App() {
  const [state, setState] = useState(readState);
  const previousPath = useRef(state.path);
  useEffect(() => {
    const follow = () => setState(readState());
    window.addEventListener("popstate", follow);
    window.addEventListener("vm:navigate", follow);
    return () => {
      window.removeEventListener("popstate", follow);
      window.removeEventListener("vm:navigate", follow);
    };
  }, []);
  const page = PAGES.find((candidate) => candidate.path === state.path);
  const [shown, setShown] = useState(null); // {path, Page}: the page whose module has loaded
  useEffect(() => {
    if (!page) return undefined;
    let current = true;
    track(component(page)).then((Page) => current && setShown({ path: page.path, Page }));
    return () => {
      current = false;
    };
  }, [page]);
  // A view of the data without a key in its URL shows the default key's (docs/DASHBOARD.md).
  const choosing = Boolean(page && page.scoped && state.key === null);
  useEffect(() => {
    if (!choosing) return;
    const choose = (list) => navigate(urlFor(state.path, state, { key: defaultKey(list) }, { own: true }), { replace: true });
    // Tracked, so the view is not marked drawn at the keyless URL while the keys are asked for.
    track(keys().then(choose, () => choose([])));
  }, [choosing, state]);
  useEffect(() => {
    // Spell every default out in the URL, so that copying it copies this exact view.
    if (page && !choosing) {
      const canonical = urlFor(state.path, state, {}, { own: true });
      if (canonical !== window.location.pathname + window.location.search) {
        window.history.replaceState(null, "", canonical);
      }
    }
    document.title = `${page ? page.title : "Not found"} · video-metrics`;
    viewChanged();
    if (previousPath.current !== state.path) {
      previousPath.current = state.path;
      // A new page: start reading (and tabbing) from its content, as after a page load.
      document.getElementById("main")?.focus({ preventScroll: false });
    }
  }, [state]);
  const Page = !page ? NotFound : shown && shown.path === page.path ? shown.Page : null;
  return html`<${Layout} state=${state} pages=${PAGES}>
    ${choosing || !Page ? html`<${Loading} />` : html`<${Page} state=${state} />`}
  </${Layout}>`;
}

/** The oldest working key that is not the demo page's; else the demo's; else every key. */
export function defaultKey(list) {
  const working = list.filter((k) => k.disabled_at === null);
  const chosen = working.find((k) => !k.demo) || working[0] || list[0];
  return chosen ? chosen.key : ALL_KEYS;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" line the shell shows until now
render(html`<${App} />`, root);
