// A second load generator for benchmarks/ingest_load.py, independent of the Python one: Node.js and
// the `ws` library (package.json pins it; `npm ci` in this folder installs it). Pages as the
// published client makes them: one socket each, a join, a play, then bursts of play/pause `event`
// pushes, each burst closed by a heartbeat. A heartbeat's reply means every push before it was
// handled (a socket's frames are handled in order), so a burst counts when its heartbeat is
// answered, whether or not the server answers the pushes themselves.
//
//   node loadgen.mjs '{"port":3001,"key":"K","pages":500,"firstIndex":0,"burst":10,
//                      "rotateAfter":2000,"goAt":<epoch ms>,"windowStart":<ms>,"deadline":<ms>}'
//
// With "hold": true it opens the pages, prints {"opened": n} and keeps them open until stdin
// closes (the memory measurement). Otherwise it prints one JSON summary when the deadline passes.

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
      this.ws.on("open", () => this.sendBurst([this.join(), this.event("play")], 1));
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
    if (this.sessionEvents + options.burst > options.rotateAfter) {
      frames.push(this.frame(this.joinRef, this.topic, "phx_leave", {}), this.join(), this.event("play"));
      events += 1;
    }
    for (let i = 0; i < options.burst; i++) frames.push(this.event(i % 2 === 0 ? "pause" : "play"));
    this.sendBurst(frames, events + options.burst);
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
    if (now >= options.windowStart && now <= options.deadline) {
      stats.windowBursts += 1;
      stats.windowEvents += this.burstEvents;
      stats.latencies.push((performance.now() - this.sentAt) / 1000);
    }
    if (now < options.deadline) this.nextBurst();
    else this.finish();
  }

  run() {
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

if (options.hold) {
  process.stdout.write(JSON.stringify({ opened: stats.opened, errors: stats.errors, firstError: stats.firstError }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    for (const page of pages) page.ws.terminate();
    process.exit(0);
  });
} else {
  const cpuStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, options.goAt - Date.now())));
  const open = pages.filter((page) => page.ws.readyState === WebSocket.OPEN);
  const cpuWindow = { start: null, end: null };
  const marks = [
    setTimeout(() => (cpuWindow.start = process.cpuUsage()), Math.max(0, options.windowStart - Date.now())),
    setTimeout(() => (cpuWindow.end = process.cpuUsage()), Math.max(0, options.deadline - Date.now())),
  ];
  const finished = await Promise.race([
    Promise.all(open.map((page) => page.run())),
    new Promise((resolve) => setTimeout(() => resolve(false), Math.max(0, options.deadline - Date.now()) + 30_000)),
  ]);
  marks.forEach(clearTimeout);
  const window = cpuWindow.start && cpuWindow.end
    ? (cpuWindow.end.user + cpuWindow.end.system - cpuWindow.start.user - cpuWindow.start.system) / 1e6
    : (process.cpuUsage(cpuStart).user + process.cpuUsage(cpuStart).system) / 1e6;
  if (!finished) stats.unfinished = open.length;
  for (const page of pages) page.ws.terminate();
  // Exit once the summary is written: a pipe takes it in pieces, and exit() would cut it short.
  process.stdout.write(JSON.stringify({ ...stats, cpuSeconds: window }) + "\n", () => process.exit(0));
}
