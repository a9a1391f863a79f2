// ES module entry point: `import { Metrics } from "https://your-server/static/metrics.mjs"`.
// It runs metrics.js (the one source of the snippet) and exports what that defined, so both ways
// of loading share one implementation and, on a page that uses both, one socket.
import "./metrics.js";

const Metrics = globalThis.Metrics;
export { Metrics };
export default Metrics;
