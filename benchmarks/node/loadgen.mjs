// A second load generator for benchmarks/ingest_load.py, independent of the Python one: Node.js and
// the `ws` library (package.json pins it; `npm ci` in this folder installs it). Pages as the
// published client makes them: one socket each, a join, a play, then bursts of play/pause `event`
// pushes, each burst closed by a heartbeat. A heartbeat's reply means every push before it was
// handled (a socket's frames are handled in order), so a burst counts when its heartbeat is
// answered, whether or not the server answers the pushes themselves.
//
//   node loadgen.mjs '{"port":3001,"key":"K","pages":500,"firstIndex":0,"quality":true}'
//
// It opens the pages (each joined and playing; with "quality", also sending the snippet's
// quality events, as benchmarks/loadgen.py does), prints {"opened": n, ...}, then reads commands
// from stdin, one JSON object a line: {"run": {"burst", "rotateAfter", "goAt", "windowStart",
// "deadline"}} (epoch milliseconds) pushes bursts and prints a summary when the deadline passes;
// {"close": true}, or the end of stdin, closes the pages and exits.

import { WebSocket } from "ws";
import { randomBytes } from "node:crypto";

const options = JSON.parse(process.argv[2]);
const host = options.host ?? "127.0.0.1";
const DURATION = 596.474195;
const PAGE_URL = "https://shop.example.com/products/shoes";
const USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

const stats = {
  opened: 0, bursts: 0, events: 0, windowBursts: 0, windowEvents: 0,
  errors: 0, firstError: "", unfinished: 0, latencies: [],
};

function error(text) {
  stats.errors += 1;
  if (!stats.firstError) stats.firstError = String(text).slice(0, 300);
}

// Each page its own loopback address, as each visitor has its own: the server caps sockets per address.
function localAddress(index) {
  const n = index + 1;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function topicId() {
  return "session:" + randomBytes(16).toString("base64url").slice(0, 21);
}

class Page {
  constructor(index, video) {
    this.index = index;
    this.video = video;
    this.ref = 2;
    this.position = 0;
    this.watch = 0;
    this.sessionEvents = 0;
    this.burstEvents = 0;
    this.sentAt = 0;
    this.running = false;
  }

  open() {
    const target =
      `ws://${host}:${options.port}/socket/websocket?vsn=2.0.0&key=${encodeURIComponent(options.key)}` +
      `&source_url=${encodeURIComponent(PAGE_URL)}`;
    this.ws = new WebSocket(target, {
      perMessageDeflate: false,
      localAddress: localAddress(this.index),
      headers: { "User-Agent": USER_AGENT },
    });
    return new Promise((resolve) => {
      this.settle = resolve;
      this.ws.on("open", () => {
        const join = this.join();
        const [frames, events] = this.starting();
        this.sendBurst([join, ...frames], events);
      });
      this.ws.on("message", (data) => this.onMessage(data));
      this.ws.on("error", (e) => error(e.message));
      this.ws.on("close", () => {
        if (this.settle) {
          if (this.running) error("socket closed by the server");
          this.settle(false);
          this.settle = null;
        }
      });
    });
  }

  frame(joinRef, topic, event, payload) {
    this.ref += 1;
    return JSON.stringify([joinRef, String(this.ref), topic, event, payload]);
  }

  join() {
    this.topic = topicId();
    this.joinRef = String(this.ref + 1);
    this.position = 0;
    this.sessionEvents = 0;
    return this.frame(this.joinRef, this.topic, "phx_join", {
      identifier: `clip ${this.video}`,
      metadata: { vid: String(this.video), t: "clip" },
      source_url: PAGE_URL + "?utm_source=bench#reviews",
      key: options.key,
    });
  }

  summary(state) {
    this.sessionEvents += 1;
    this.watch += 1.37;
    return this.frame(this.joinRef, this.topic, "event", {
      name: "playback", state, hidden: false, watch: +this.watch.toFixed(3),
      playing: +(this.watch - 0.4).toFixed(3), rebuffers: 1, rebuffering: 0.312, seeks: 0, seeking: 0,
      renditions: 1, startup: 0.35, bitrate: 1850000, upscale: 0, dropped: 3, frames: Math.trunc(this.watch * 24),
    });
  }

  once(name) {
    this.sessionEvents += 1;
    return this.frame(this.joinRef, this.topic, "event", { name, autoplay: false });
  }

  // A session's first frames after its join: the play, and with "quality" the events around it.
  starting() {
    if (!options.quality) return [[this.event("play")], 1];
    this.watch = 0;
    return [[this.once("impression"), this.summary("starting"), this.event("play"), this.summary("playing"),
      this.once("viewable")], 5];
  }

  event(name) {
    this.sessionEvents += 1;
    if (name === "play") {
      const from = this.position < 1 ? 0 : this.position.toFixed(2);
      return this.frame(this.joinRef, this.topic, "event", { duration: DURATION, name: "play", from });
    }
    this.position = (this.position + 1.37) % DURATION;
    return this.frame(this.joinRef, this.topic, "event", {
      duration: DURATION, name: "pause", to: this.position.toFixed(2),
    });
  }

  sendBurst(frames, events) {
    this.ref += 1;
    frames.push(`[null,"${this.ref}","phoenix","heartbeat",{}]`);
    this.burstEvents = events;
    this.sentAt = performance.now();
    for (const frame of frames) this.ws.send(frame);
  }

  nextBurst() {
    const frames = [];
    let events = 0;
    const perEvent = options.quality ? 2 : 1;
    if (this.sessionEvents + this.plan.burst * perEvent > this.plan.rotateAfter) {
      frames.push(this.frame(this.joinRef, this.topic, "phx_leave", {}), this.join());
      const [starting, count] = this.starting();
      frames.push(...starting);
      events += count;
    }
    for (let i = 0; i < this.plan.burst; i++) {
      const name = i % 2 === 0 ? "pause" : "play";
      frames.push(this.event(name));
      if (options.quality) frames.push(this.summary(name === "pause" ? "paused" : "playing"));
    }
    this.sendBurst(frames, events + this.plan.burst * perEvent);
  }

  onMessage(data) {
    const text = data.toString();
    if (text.includes('"phoenix"')) return this.burstDone();
    if (text.includes('"status":"error"')) error(text);
  }

  burstDone() {
    const now = Date.now();
    stats.bursts += 1;
    stats.events += this.burstEvents;
    if (!this.running) {
      // The join and the first play are answered: the page is open and playing.
      stats.opened += 1;
      this.settle?.(true);
      this.settle = null;
      return;
    }
    if (now >= this.plan.windowStart && now <= this.plan.deadline) {
      stats.windowBursts += 1;
      stats.windowEvents += this.burstEvents;
      stats.latencies.push((performance.now() - this.sentAt) / 1000);
    }
    if (now < this.plan.deadline) this.nextBurst();
    else this.finish();
  }

  run(plan) {
    this.plan = plan;
    this.running = true;
    return new Promise((resolve) => {
      this.finish = () => resolve(true);
      this.settle = null;
      this.nextBurst();
    });
  }
}

const pages = [];
for (let i = 0; i < options.pages; i++) pages.push(new Page(options.firstIndex + i, (options.firstIndex + i) % 50));
// Opened a hundred at a time, as the Python generator does, so a burst of handshakes is not the test.
for (let i = 0; i < pages.length; i += 100) await Promise.all(pages.slice(i, i + 100).map((p) => p.open()));

process.stdout.write(JSON.stringify({ opened: stats.opened, errors: stats.errors, firstError: stats.firstError }) + "\n");

async function run(plan) {
  for (const key of ["bursts", "events", "windowBursts", "windowEvents", "errors", "unfinished"]) stats[key] = 0;
  stats.firstError = "";
  stats.latencies = [];
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.goAt - Date.now())));
  const open = pages.filter((page) => page.ws.readyState === WebSocket.OPEN);
  const cpu = { start: null, end: null };
  const marks = [
    setTimeout(() => (cpu.start = process.cpuUsage()), Math.max(0, plan.windowStart - Date.now())),
    setTimeout(() => (cpu.end = process.cpuUsage()), Math.max(0, plan.deadline - Date.now())),
  ];
  const finished = await Promise.race([
    Promise.all(open.map((page) => page.run(plan))),
    new Promise((resolve) => setTimeout(() => resolve(false), Math.max(0, plan.deadline - Date.now()) + 30_000)),
  ]);
  marks.forEach(clearTimeout);
  const seconds = cpu.start && cpu.end
    ? (cpu.end.user + cpu.end.system - cpu.start.user - cpu.start.system) / 1e6
    : 0;
  if (!finished) stats.unfinished = open.length;
  process.stdout.write(JSON.stringify({ ...stats, pages: open.length, cpuSeconds: seconds }) + "\n");
}

function close() {
  for (const page of pages) page.ws.terminate();
  // Exit once everything written is flushed: a pipe takes it in pieces, and exit() would cut it short.
  process.stdout.write("", () => process.exit(0));
}

let input = "";
process.stdin.on("data", async (chunk) => {
  input += chunk;
  let newline;
  while ((newline = input.indexOf("\n")) >= 0) {
    const command = JSON.parse(input.slice(0, newline));
    input = input.slice(newline + 1);
    if (command.run) await run(command.run);
    else close();
  }
});
process.stdin.on("end", close);
