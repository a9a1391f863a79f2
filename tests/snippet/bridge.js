// Runs the snippet's playback detector (static/metrics.js) in node for the Python tests: one JSON
// request per line, {"start", "options", "inputs": [[type, t, position, data], ...]}, answered
// with one line, {"outputs": [[frame, ...] per input], "wakes": [...], "summary": {...}}; or
// {"normalise": [message, ...]} answered with {"normalised": [...]}.
"use strict";
const path = require("path");
const readline = require("readline");

require(path.join(__dirname, "..", "..", "static", "metrics.js"));
const { Playback } = globalThis.Metrics;

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.normalise !== undefined) {
      process.stdout.write(JSON.stringify({ normalised: request.normalise.map(globalThis.Metrics.normalise) }) + "\n");
      return;
    }
    const detector = new Playback(request.start, request.options || {});
    const outputs = [];
    const wakes = [];
    outputs.push(request.options && request.options.impression ? detector.impression() : []);
    for (const [type, t, position, data] of request.inputs) {
      outputs.push(detector.input(type, t, position, data || {}));
      wakes.push(detector.wake());
    }
    answer = { outputs, wakes, summary: detector.summary(), intent: detector.intent };
  } catch (error) {
    answer = { error: String(error && error.stack) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
