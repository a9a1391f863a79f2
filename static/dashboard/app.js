// The dashboard: a face of the public REST API (docs/DASHBOARD.md). One shell serves every page;
// the URL holds each view's whole state, so a link or a reload shows the same view.
import { html, render, useEffect, useRef, useState } from "./lib/html.js";
import { readState, urlFor } from "./lib/state.js";
import { viewChanged } from "./lib/load.js";
import { Layout } from "./components/layout.js";
import { PAGES } from "./pages/index.js";

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
  useEffect(() => {
    // Spell every default out in the URL, so that copying it copies this exact view.
    if (page) {
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
  const Page = page ? page.component : NotFound;
  return html`<${Layout} state=${state} pages=${PAGES}><${Page} state=${state} /></${Layout}>`;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" line the shell shows until now
render(html`<${App} />`, root);
