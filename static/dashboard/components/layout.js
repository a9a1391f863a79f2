// The frame of every page: the product's name, the pages, the theme switch, the content.
import { html, useState } from "../lib/html.js";
import { follow, urlFor } from "../lib/state.js";

const THEMES = ["auto", "light", "dark"];
const THEME_LABELS = { auto: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

function storedTheme() {
  try {
    return localStorage.getItem("video-metrics-theme") || "auto";
  } catch {
    return "auto";
  }
}

function ThemeSwitch() {
  const [theme, setTheme] = useState(storedTheme());
  const next = () => {
    const chosen = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    try {
      if (chosen === "auto") localStorage.removeItem("video-metrics-theme");
      else localStorage.setItem("video-metrics-theme", chosen);
    } catch {
      // Not stored: it holds for this page only.
    }
    if (chosen === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = chosen;
    setTheme(chosen);
    window.dispatchEvent(new Event("vm:theme"));
  };
  return html`<button type="button" class="quiet theme" onClick=${next} title="Light, dark, or as the system is">
    ${THEME_LABELS[theme]}
  </button>`;
}

export function Layout({ state, pages, children }) {
  return html`
    <a class="skip" href="#main">Skip to the content</a>
    <header class="top">
      <a class="brand" href=${urlFor("/", state)} onClick=${follow}>
        <img src="/static/dashboard/icon.svg" alt="" width="22" height="22" />
        <span>video-metrics</span>
      </a>
      <nav aria-label="Pages">
        ${pages
          .filter((page) => page.nav)
          .map(
            (page) => html`<a
              href=${urlFor(page.path, state)}
              onClick=${follow}
              aria-current=${page.path === state.path || (page.path === "/videos" && state.path === "/video") ? "page" : undefined}
              >${page.nav}</a
            >`,
          )}
      </nav>
      <${ThemeSwitch} />
    </header>
    <main id="main" tabindex="-1">${children}</main>
    <footer class="muted small">
      Every number here comes from the REST API (<a href="/openapi.json">/openapi.json</a>); no request leaves this
      server. · <a href="/demo">Demo page</a>
    </footer>
  `;
}
