// The pages, by path. A page is a component of the URL's state, in a module of its own that is
// loaded when the page is first shown (a view loads only what it draws); `nav` puts it in the
// header; `scoped` pages show a key's data (a URL without a key gets the default one). Adding a
// page is one line here, one module beside this one, its questions in
// questions.js, and its path in PAGES of app/dashboard.py.

export const PAGES = [
  { path: "/", nav: "Overview", title: "Overview", module: "./overview.js", export: "Overview", scoped: true },
  { path: "/videos", nav: "Videos", title: "Videos", module: "./videos.js", export: "Videos", scoped: true },
  { path: "/video", nav: null, title: "Video", module: "./video.js", export: "Video", scoped: true },
  { path: "/quality", nav: "Quality", title: "Quality", module: "./quality.js", export: "Quality", scoped: true },
  { path: "/live", nav: "Live", title: "Live", module: "./live.js", export: "Live", scoped: true },
  { path: "/keys", nav: "Keys", title: "Keys", module: "./keys.js", export: "Keys", scoped: false },
];

/** The page's component, its module loaded once. */
export function component(page) {
  page.loading ||= import(page.module).then((module) => module[page.export]);
  return page.loading;
}
