// The pages, by path. A page is a component of the URL's state; `nav` puts it in the header;
// `scoped` pages show a key's data (a URL without a key gets the default one). Adding a page (a
// Quality page, say) is one line here, one module beside this one, and its questions.
import { Overview } from "./overview.js";
import { Videos } from "./videos.js";
import { Video } from "./video.js";
import { Live } from "./live.js";
import { Keys } from "./keys.js";

export const PAGES = [
  { path: "/", nav: "Overview", title: "Overview", component: Overview, scoped: true },
  { path: "/videos", nav: "Videos", title: "Videos", component: Videos, scoped: true },
  { path: "/video", nav: null, title: "Video", component: Video, scoped: true },
  { path: "/live", nav: "Live", title: "Live", component: Live, scoped: true },
  { path: "/keys", nav: "Keys", title: "Keys", component: Keys, scoped: false },
];
