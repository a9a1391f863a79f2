// Asking the API for what a view shows: all of a view's requests at once, the earlier ones
// cancelled when the view changes, and a mark once everything asked is drawn (<html data-ready>
// holding the view's URL, and the performance mark "vm:drawn"), which the tests and the
// benchmark wait for.

import { useEffect, useState } from "./html.js";

let pending = 0;

function begin() {
  pending += 1;
  delete document.documentElement.dataset.ready;
}

function settle() {
  pending -= 1;
  if (pending > 0) return;
  // Two frames: the answer's render is committed and painted, charts included.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      if (pending > 0) return;
      document.documentElement.dataset.ready = window.location.pathname + window.location.search;
      performance.mark("vm:drawn");
    }),
  );
}

/**
 * Run `make(signal)` (an object of named promises) whenever `key` changes; give
 * {loading, data, error}. The previous data stay while the next load runs, so that a view
 * changes in place instead of blinking.
 */
export function useLoad(make, key) {
  const [result, setResult] = useState({ loading: true, data: null, error: null });
  useEffect(() => {
    const controller = new AbortController();
    begin();
    setResult((previous) => ({ ...previous, loading: true }));
    (async () => {
      try {
        const requests = Object.entries(make(controller.signal));
        const values = await Promise.all(requests.map(([, promise]) => promise));
        if (controller.signal.aborted) return;
        const data = Object.fromEntries(requests.map(([name], index) => [name, values[index]]));
        setResult({ loading: false, data, error: null });
      } catch (error) {
        if (controller.signal.aborted || error.name === "AbortError") return;
        setResult({ loading: false, data: null, error });
      } finally {
        settle();
      }
    })();
    return () => controller.abort();
  }, [key]);
  return result;
}

/** A promise the view waits for (a page's module): not drawn before it settles. */
export function track(promise) {
  begin();
  return promise.finally(settle);
}

/** The view changed (its URL did): drawn once its render is, and whatever it asks has come. */
export function viewChanged() {
  begin();
  settle();
}
