// Runs before the first paint (a classic script in <head>), so that a chosen theme never flashes
// the other one. "auto" (no choice stored) follows the system's setting through CSS alone.
(function () {
  "use strict";
  try {
    var chosen = localStorage.getItem("video-metrics-theme");
    if (chosen === "light" || chosen === "dark") document.documentElement.dataset.theme = chosen;
  } catch (e) {
    // Storage refused (a locked-down profile): follow the system.
  }
})();
