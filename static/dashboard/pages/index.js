// The pages, by path. A page is a component of the URL's state; `nav` puts it in the header.
// Adding one (a Quality page, say) is one line here and one module beside this one.
import { Overview } from "./overview.js";
import { Videos } from "./videos.js";
import { Video } from "./video.js";
import { Live } from "./live.js";
import { Keys } from "./keys.js";

export const PAGES = [
  { path: "/", nav: "Overview", title: "Overview", component: Overview },
  { path: "/videos", nav: "Videos", title: "Videos", component: Videos },
  { path: "/video", nav: null, title: "Video", component: Video },
  { path: "/live", nav: "Live", title: "Live", component: Live },
  { path: "/keys", nav: "Keys", title: "Keys", component: Keys },
];
