/*! video-metrics snippet | MIT | the API and wire frames of @maveio/metrics 0.1.5, without its defects */
// One source for both ways of loading it: a classic <script src> defines the global `Metrics`;
// metrics.mjs imports this file and re-exports that global, so an ES module page gets the very same
// object (and the same single socket). No cookies, no storage: nothing here outlives the page.
(function (root) {
  "use strict";
  if (root.Metrics && root.Metrics.snippet) return; // loaded twice: keep the first and its socket

  var PUSH_TIMEOUT_MS = 10000; // as the reference client: a join unanswered this long is retried
  var HEARTBEAT_MS = 30000;
  // Reconnect and rejoin back-off of the reference client: 1 s, 5 s, 10 s, then every 25 s.
  var backoff = function (tries) {
    return [1000, 5000, 10000][tries - 1] || 25000;
  };
  var ownSrc = root.document && document.currentScript && document.currentScript.src;
  var config = {};
  var page = null; // the one Socket of this page, made on the first monitor()
  var monitored = new WeakMap(); // element -> the Metrics watching it, so nothing is counted twice
  var choice = null; // "in" or "out": Metrics.optIn() / optOut() was called
  var held = []; // monitored while opted out

  // A topic id like the reference client's: 21 characters of [0-9A-Za-z_-].
  function sessionId() {
    var bytes = crypto.getRandomValues(new Uint8Array(21));
    var alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-";
    var id = "";
    for (var i = 0; i < bytes.length; i++) id += alphabet[bytes[i] & 63];
    return id;
  }

  // The visitor's choice if the site passed it on; else the browser's signals, if the site says so.
  function optedOut() {
    if (choice) return choice === "out";
    var nav = root.navigator || {};
    var dnt = nav.doNotTrack === "1" || nav.doNotTrack === "yes" || root.doNotTrack === "1";
    return !!((config.respectGlobalPrivacyControl && nav.globalPrivacyControl === true) ||
      (config.respectDoNotTrack && dnt));
  }

  // socketPath may be ws(s)://…, http(s)://… or a path on this page's host; without one, the host
  // this script was served from is assumed (where the server that served it listens).
  function socketUrl() {
    var path = config.socketPath;
    var served = /\/static\/[^/]*$/;
    if (!path && ownSrc && served.test(ownSrc)) path = ownSrc.replace(served, "/socket");
    if (!path) {
      console.warn("[metrics]: Set socketPath using `Metrics.config = {socketPath: 'wss://…/socket'}`");
      path = "ws://localhost:3000/socket";
    }
    if (path.charAt(0) === "/" && path.charAt(1) !== "/") path = location.host + path;
    path = path.replace(/^http/, "ws").replace(/^\/\//, "");
    if (!/^wss?:/.test(path)) path = (location.protocol === "https:" ? "wss://" : "ws://") + path;
    var source = location.protocol + "//" + location.host + location.pathname;
    return path + "/websocket?source_url=" + encodeURIComponent(source) +
      "&key=" + encodeURIComponent(config.apiKey) + "&vsn=2.0.0";
  }

  // The page's single websocket: Phoenix Channels V2 JSON frames, heartbeat, reconnect, rejoin.
  function Socket() {
    this.ws = null;
    this.ref = 0;
    this.channels = [];
    this.tries = 0;
    this.timer = null; // reconnect
    this.beat = null; // heartbeat
    this.pendingBeat = null;
    this.wanted = true;
  }
  Socket.prototype = {
    makeRef: function () {
      return String(++this.ref);
    },
    isOpen: function () {
      return !!this.ws && this.ws.readyState === 1;
    },
    connect: function () {
      this.wanted = true;
      if (this.ws) return;
      var self = this;
      var ws = (this.ws = new WebSocket(socketUrl()));
      ws.onopen = function () {
        self.tries = 0;
        self.pendingBeat = null;
        self.schedule(HEARTBEAT_MS);
        self.channels.slice().forEach(function (c) {
          c.rejoin();
        });
      };
      ws.onmessage = function (e) {
        self.receive(e.data);
      };
      ws.onclose = function () {
        self.lost(ws);
      };
    },
    // Every 30 s a heartbeat; one left unanswered for 30 s means a dead link: drop it and reconnect.
    schedule: function (ms) {
      var self = this;
      clearTimeout(this.beat);
      this.beat = setTimeout(function () {
        if (!self.isOpen()) return;
        if (self.pendingBeat) {
          var ws = self.ws;
          ws.close(1000, "heartbeat timeout");
          self.lost(ws);
          return;
        }
        self.pendingBeat = self.makeRef();
        self.send([null, self.pendingBeat, "phoenix", "heartbeat", {}]);
        self.schedule(HEARTBEAT_MS);
      }, ms);
    },
    lost: function (ws) {
      if (ws !== this.ws) return;
      ws.onopen = ws.onmessage = ws.onclose = null;
      this.ws = null;
      clearTimeout(this.beat);
      this.channels.slice().forEach(function (c) {
        c.lost();
      });
      if (!this.wanted) return;
      var self = this;
      clearTimeout(this.timer);
      this.timer = setTimeout(function () {
        self.connect();
      }, backoff(++this.tries));
    },
    // A clean close that is not followed by a reconnect (the page is going away).
    disconnect: function () {
      this.wanted = false;
      clearTimeout(this.timer);
      var ws = this.ws;
      if (!ws) return;
      this.lost(ws);
      ws.close(1000);
    },
    send: function (frame) {
      if (!this.isOpen()) return false;
      this.ws.send(JSON.stringify(frame));
      return true;
    },
    receive: function (data) {
      var frame;
      try {
        frame = JSON.parse(data);
      } catch (err) {
        return;
      }
      if (!Array.isArray(frame) || frame.length !== 5) return;
      if (frame[1] !== null && frame[1] === this.pendingBeat) this.pendingBeat = null;
      this.channels.slice().forEach(function (c) {
        if (c.topic === frame[2]) c.receive(frame);
      });
    },
  };

  // One channel per monitored video per page load, i.e. one session on the server.
  // state: "waiting" (to be joined when the socket is open), "joining", "joined" or "closed".
  function Channel(socket, params, onJoin, onLost) {
    this.socket = socket;
    this.topic = "session:" + sessionId();
    this.params = params;
    this.onJoin = onJoin;
    this.onLost = onLost;
    this.state = "waiting";
    this.leaving = false;
    this.joinRef = null;
    this.buffer = [];
    this.tries = 0;
    this.timer = null;
    socket.channels.push(this);
    this.rejoin();
  }
  Channel.prototype = {
    rejoin: function () {
      clearTimeout(this.timer);
      if (this.leaving) return this.remove();
      if (this.state === "closed" || !this.socket.isOpen()) return;
      var self = this;
      this.state = "joining";
      this.joinRef = this.socket.makeRef();
      this.socket.send([this.joinRef, this.joinRef, this.topic, "phx_join", this.params]);
      this.timer = setTimeout(function () {
        // Unanswered join: tell the server to forget it, as the reference client does, and retry.
        self.socket.send([self.joinRef, self.socket.makeRef(), self.topic, "phx_leave", {}]);
        self.failed();
      }, PUSH_TIMEOUT_MS);
    },
    // The join was refused, timed out, or the server's side of the channel failed: retry later.
    failed: function () {
      var self = this;
      this.lost();
      if (this.state === "closed" || !this.socket.isOpen()) return;
      this.timer = setTimeout(function () {
        self.rejoin();
      }, backoff(++this.tries));
    },
    // Whatever the server held for this channel is gone; the next join starts a new session.
    lost: function () {
      clearTimeout(this.timer);
      if (this.leaving) return this.remove();
      var wasJoined = this.state === "joined";
      this.state = "waiting";
      if (wasJoined && this.onLost) this.onLost();
    },
    receive: function (frame) {
      if (frame[0] !== null && frame[0] !== this.joinRef) return; // about an older join
      var event = frame[3];
      if (event === "phx_reply" && frame[1] === this.joinRef && this.state === "joining") {
        clearTimeout(this.timer);
        if ((frame[4] || {}).status !== "ok") return this.failed();
        this.state = "joined";
        this.tries = 0;
        var queued = this.buffer;
        this.buffer = [];
        for (var i = 0; i < queued.length; i++) this.send(queued[i][0], queued[i][1]);
        if (this.leaving) return this.leave();
        if (this.onJoin) this.onJoin();
      } else if (event === "phx_error") {
        this.failed();
      } else if (event === "phx_close") {
        this.remove();
      }
    },
    send: function (event, payload) {
      return this.socket.send([this.joinRef, this.socket.makeRef(), this.topic, event, payload]);
    },
    // Unlike the reference client, a push made while disconnected is kept (however long the
    // outage): it still says what was watched, and the rejoined session needs it.
    push: function (event, payload) {
      if (this.state === "closed") return;
      if (this.state === "joined" && this.send(event, payload)) return;
      if (this.buffer.length < 200) this.buffer.push([event, payload]);
    },
    leave: function () {
      this.leaving = true;
      this.onJoin = this.onLost = null;
      if (this.state === "joining") return; // the join's answer flushes the queue, then leaves
      if (this.state === "joined") this.send("phx_leave", {});
      this.remove();
    },
    remove: function () {
      clearTimeout(this.timer);
      this.state = "closed";
      this.buffer = [];
      var list = this.socket.channels;
      var at = list.indexOf(this);
      if (at >= 0) list.splice(at, 1);
    },
  };

  // The events that can start or end a watched segment; all are removed again by demonitor().
  var EVENTS = ["playing", "pause", "ended", "seeking", "seeked", "timeupdate"];
  var instances = [];

  /**
   * new Metrics(videoOrSelectorOrHls, identifier?, metadata, session?): the reference client's
   * constructor. `identifier` is a human label; `metadata` identifies the video.
   */
  function Metrics() {
    var args = arguments;
    this.VERSION = "0.1.5";
    this.video = null;
    this.channel = null;
    this.sent = null; // the last event the server got: "play", "pause" or null (new session)
    this.at = 0; // video position and clock at the last timeupdate, to place scrubs
    this.atClock = 0;
    this.handler = this.handle.bind(this);
    if (args.length <= 1) {
      console.error("[mave_metrics]: Metrics requires at least two arguments: a querySelectorable, hls instance or HTMLMediaElement/HTMLVideoElement and a metadata object to identify your video.");
      return;
    }
    var target = args[0];
    if (typeof target === "string") this.querySelectorable = target;
    else if (root.HTMLMediaElement && target instanceof HTMLMediaElement) this.video = target;
    else if (target && typeof target === "object") this.hls = target;
    if (args.length === 2 && args[1] && typeof args[1] === "object") this.metadata = args[1];
    else this.identifier = args[1];
    if (args[2]) this.metadata = args[2];
    if (args[3]) this.session_data = args[3];
  }

  Metrics.snippet = true;
  Object.defineProperty(Metrics, "config", {
    get: function () {
      return config;
    },
    set: function (value) {
      config = value || {};
    },
  });

  // For a consent banner (docs/SNIPPET.md): optOut() sends nothing more and closes the socket (the
  // server keeps what it had until then); optIn() starts what monitor() was asked for meanwhile.
  Metrics.optOut = function () {
    choice = "out";
    instances.slice().forEach(function (m) {
      m.detach(true);
      held.push(m);
    });
    if (page) page.disconnect();
  };
  Metrics.optIn = function () {
    choice = "in";
    held.splice(0).forEach(function (m) {
      m.monitor();
    });
  };

  Metrics.prototype = {
    monitor: function () {
      if (this.channel || held.indexOf(this) >= 0) return this;
      if (optedOut()) {
        held.push(this);
        return this;
      }
      var video = this.querySelectorable
        ? document.querySelector(this.querySelectorable)
        : this.video || (this.hls && (this.hls.media || videoOfPlayer(this.hls)));
      if (!video) {
        console.error("[mave_metrics]: " + this.querySelectorable + " is not a valid reference to a HTMLVideoElement.");
        return this;
      }
      if (monitored.get(video)) {
        console.warn("[mave_metrics]: this video is already monitored; a second session would count it twice.");
        return this;
      }
      monitored.set(video, this);
      this.video = video;
      if (!page) page = new Socket();
      page.connect();
      var self = this;
      var label = typeof this.identifier === "string" ? this.identifier : undefined;
      // A video given only a label would have no metadata, which the server must refuse:
      // the label then identifies it, rather than the page recording nothing at all.
      var metadata = this.metadata || (label ? { identifier: label } : undefined);
      this.sent = null;
      var params = {
        identifier: label,
        metadata: metadata,
        session_data: this.session_data,
        source_url: location.href,
        key: config.apiKey,
      };
      this.channel = new Channel(page, params, function () {
        self.joined();
      }, function () {
        self.restart();
      });
      for (var i = 0; i < EVENTS.length; i++) video.addEventListener(EVENTS[i], this.handler);
      instances.push(this);
      if (Metrics.quality) this.quality = Metrics.quality(this); // playback quality, below
      if (this.playing()) this.play(video.currentTime);
      return this;
    },

    demonitor: function () {
      var at = held.indexOf(this);
      if (at >= 0) held.splice(at, 1);
      if (!this.channel) return;
      this.pause(this.position());
      if (this.quality) this.quality.stop(true); // its last summary goes before the leave
      this.channel.leave();
      this.detach();
    },

    // The channel is left already, or (opting out) dropped unsent.
    detach: function (drop) {
      if (this.quality) this.quality.stop(false); // opting out: nothing more is sent
      this.quality = null;
      for (var i = 0; i < EVENTS.length; i++) this.video.removeEventListener(EVENTS[i], this.handler);
      if (drop) this.channel.remove();
      this.channel = null;
      monitored.delete(this.video);
      instances.splice(instances.indexOf(this), 1);
    },

    // The server ended this session with the socket (it closed the open play where the video was
    // then). The rejoined session starts with a play from that same point, queued until the join,
    // so the outage is counted once: not twice, not lost.
    restart: function () {
      var playing = this.sent === "play";
      this.sent = null;
      if (playing) this.play(this.position());
    },
    // A (re)joined channel with nothing queued (after the page was hidden, say) starts a play if
    // the video is playing.
    joined: function () {
      if (this.sent === null && this.playing()) this.play(this.video.currentTime);
    },

    playing: function () {
      var v = this.video;
      return !v.paused && !v.ended && v.readyState > 2;
    },

    // The playhead now, estimated from the last timeupdate when the element already moved on
    // (at `seeking`, currentTime is the target, not where the viewer left).
    position: function () {
      var v = this.video;
      if (!v.seeking) return v.currentTime;
      var guess = this.at + Math.min((performance.now() - this.atClock) / 1000, 0.3) * v.playbackRate;
      return isFinite(v.duration) ? Math.min(guess, v.duration) : guess;
    },

    push: function (name, key, at) {
      var d = this.video.duration;
      var payload = { name: name, duration: isFinite(d) ? d : null };
      payload[key] = at.toFixed(2);
      this.sent = name;
      this.channel.push("event", payload);
    },
    // Nothing is counted while the page is hidden (see below); showing it again resumes.
    play: function (from) {
      if (this.sent !== "play" && !isHidden()) this.push("play", "from", from);
    },
    pause: function (to) {
      if (this.sent === "play") this.push("pause", "to", to);
    },

    handle: function (e) {
      var v = this.video;
      switch (e.type) {
        case "playing":
          this.play(v.currentTime);
          break;
        case "pause":
        case "ended":
          this.pause(v.currentTime);
          break;
        case "seeking":
          this.pause(this.position());
          break;
        case "seeked":
          if (this.playing()) this.play(v.currentTime);
          break;
        case "timeupdate":
          if (v.seeking) return;
          // A jump that no seeking event announced: backwards, or further forwards than the time
          // since the last update allows (a stall only makes the playhead lag, never lead).
          var jump = v.currentTime - this.at;
          var most = ((performance.now() - this.atClock) / 1000) * v.playbackRate + 1;
          if (this.sent === "play" && !v.paused && (jump < -0.5 || jump > most)) {
            this.pause(this.at);
            this.play(v.currentTime);
          }
          break;
      }
      this.at = v.currentTime;
      this.atClock = performance.now();
    },
  };

  // A video.js player's <video> (its tech's element).
  function videoOfPlayer(player) {
    var tech = typeof player.tech === "function" && player.tech(true);
    return tech && typeof tech.el === "function" ? tech.el() : null;
  }

  // Leaving the page or hiding it ends what is being watched: a closed tab on a phone may never run
  // another line. Coming back (a visible tab, or a page restored from the back-forward cache)
  // resumes counting from where the video is.
  function isHidden() {
    return !!root.document && document.visibilityState === "hidden";
  }
  function hidden() {
    instances.forEach(function (m) {
      m.pause(m.position());
      if (m.quality) m.quality.hide();
    });
  }
  function shown() {
    instances.forEach(function (m) {
      if (m.channel && m.playing()) m.play(m.video.currentTime);
      if (m.quality) m.quality.show();
    });
  }
  if (root.addEventListener) {
    addEventListener("pagehide", function () {
      hidden();
      if (page) page.disconnect();
    });
    addEventListener("pageshow", function (e) {
      if (e.persisted && page && instances.length) page.connect();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") hidden();
      else shown();
    });
  }

  root.Metrics = Metrics;
})(typeof self !== "undefined" ? self : globalThis);

// ---------------------------------------------------------------------------------------------
// Playback quality, part 1 of 2: the detector. A pure state machine over (event, time, position):
// no DOM, no clock of its own, so the tests drive it with a fake one (tests/snippet/). It turns
// what a media element does into the summaries the server stores (docs/METRICS.md defines each
// number; docs/PROTOCOL.md the frames). Times are seconds on the caller's monotonic clock.
// ---------------------------------------------------------------------------------------------
(function (root) {
  "use strict";
  var M = root.Metrics;
  if (!M || M.Playback) return;

  var STALL = 1.0; // the playhead still this long while it should move: rebuffering
  var SHORT_STALL = 0.25; // a shorter stall longer than this is counted when playback resumes
  var SEEK_MERGE = 2.0; // seeks less than this apart are one seek
  var SLEEP = 30.0; // a gap longer than this between two inputs: the device slept
  var VIEWABLE = 2.0; // seconds at least half in view on a visible page
  var RUNNING = { starting: 1, playing: 1, rebuffering: 1, seeking: 1 };

  function Playback(t, options) {
    options = options || {};
    this.autoplay = !!options.autoplay;
    this.state = "idle"; // idle, starting, playing, rebuffering, seeking, paused, ended, failed
    this.intent = false;
    this.started = false;
    this.hidden = !!options.hidden;
    this.last = t; // the last input's time: what has been accounted for
    this.watch = this.starting = this.rebuffering = this.seekingRunning = this.seeking = 0;
    this.rebuffers = this.seeks = this.renditions = 0;
    this.startup = null;
    this.armed = false; // watching the playhead for stalls
    this.moveT = this.prevT = t; // when the playhead was last seen to move, and the time before
    this.moveP = this.prevP = 0;
    this.stallStart = 0;
    this.refT = t; // the play intent or `playing`, for dating the first frame
    this.refP = 0;
    this.seekFrom = null; // the state a seek interrupted
    this.lastSeeking = -Infinity;
    this.rate = 1;
    this.bitrate = null; // the current rendition's, and the playing-time-weighted sums
    this.bitrateTime = this.bitrateBits = 0;
    this.upscaleNow = null;
    this.upscaleTime = this.upscaleSum = 0;
    this.dropped = this.frames = null;
    this.ratio = 0;
    this.viewStart = null;
    this.viewable = false;
    this.failed = false;
  }

  Playback.prototype = {
    // The impression: once, when attached to a video with a source.
    impression: function () {
      return [{ name: "impression", autoplay: this.autoplay }];
    },

    // When the caller should next give a "tick" (null: no need).
    wake: function () {
      var next = null;
      if (this.armed && this.state === "playing" && !this.hidden) next = this.moveT + STALL;
      if (this.state === "rebuffering" && !this.hidden) next = this.last + 0.25;
      if (this.viewStart !== null && !this.viewable) {
        var at = this.viewStart + VIEWABLE;
        next = next === null ? at : Math.min(next, at);
      }
      return next;
    },

    // One input: returns the frames to send (often none).
    input: function (type, t, position, data) {
      data = data || {};
      var out = [];
      if (isFinite(data.rate) && data.rate > 0) this.rate = data.rate;
      if (data.dropped >= 0 && data.frames >= 0) {
        this.dropped = data.dropped;
        this.frames = data.frames;
      }
      this.advance(t);
      if (data.upscale !== undefined) this.upscaleNow = data.upscale;
      var p = isFinite(position) ? position : this.moveP;
      var handler = this["on_" + type];
      if (handler) handler.call(this, t, p, data, out);
      if (this.armed && this.state === "playing" && !this.hidden) this.watchPlayhead(t, p, out);
      this.checkViewable(t, out);
      return out;
    },

    // Time since the last input, counted where it belongs; a gap over SLEEP is not counted.
    advance: function (t) {
      var dt = t - this.last;
      if (!(dt > 0)) return;
      this.last = t;
      if (dt > SLEEP) {
        this.rearm(t, this.moveP);
        if (this.viewStart !== null) this.viewStart = t;
        return;
      }
      var counting = !this.hidden && !this.failed;
      if (this.state === "seeking") {
        this.seeking += dt; // a seek's latency counts whether or not the video was playing
        if (counting && RUNNING[this.seekFrom]) {
          this.watch += dt;
          this.seekingRunning += dt;
        }
        return;
      }
      if (!counting || !RUNNING[this.state]) return;
      this.watch += dt;
      if (this.state === "starting") this.starting += dt;
      else if (this.state === "rebuffering") this.rebuffering += dt;
      else this.weigh(dt);
    },

    // Playing time at the current bitrate and upscaling (negative: taken back from them).
    weigh: function (seconds) {
      if (this.bitrate !== null) {
        this.bitrateTime = Math.max(0, this.bitrateTime + seconds);
        this.bitrateBits = Math.max(0, this.bitrateBits + seconds * this.bitrate);
      }
      if (this.upscaleNow !== null) {
        this.upscaleTime = Math.max(0, this.upscaleTime + seconds);
        this.upscaleSum = Math.max(0, this.upscaleSum + seconds * this.upscaleNow);
      }
    },

    rearm: function (t, p) {
      this.moveT = this.prevT = t;
      this.moveP = this.prevP = p;
    },

    // Playing: a stall is the playhead not moving; dated back to its last movement.
    watchPlayhead: function (t, p, out) {
      if (p !== this.moveP) {
        var moved = (p - this.moveP) / this.rate;
        var still = t - this.moveT - moved;
        if (moved > 0 && still > SHORT_STALL) {
          this.rebuffers += 1;
          this.moveRebuffering(still);
          out.push(this.summary());
        }
        this.prevT = this.moveT;
        this.prevP = this.moveP;
        this.moveT = t;
        this.moveP = p;
      } else if (t - this.moveT >= STALL) {
        // Since it was last seen moving; and within the interval before, where it got to by then.
        var reached = this.prevT + (this.moveP - this.prevP) / this.rate;
        this.stallStart = Math.max(this.prevT, Math.min(this.moveT, reached));
        this.state = "rebuffering";
        this.rebuffers += 1;
        this.moveRebuffering(t - this.stallStart);
        out.push(this.summary());
      }
    },

    // Move up to `seconds` from playing (what watch time holds beyond the other parts) to
    // rebuffering; a negative amount moves it back.
    moveRebuffering: function (seconds) {
      var playing = this.playing();
      var amount = Math.min(seconds, playing);
      amount = Math.max(amount, -this.rebuffering);
      this.rebuffering += amount;
      this.weigh(-amount);
    },

    playing: function () {
      return Math.max(0, this.watch - this.starting - this.rebuffering - this.seekingRunning);
    },

    // The playhead moved while rebuffering (or playback was stopped): the stall ends.
    resume: function (t, p, out) {
      var resumedAt = Math.max(this.stallStart, Math.min(t, t - (p - this.moveP) / this.rate));
      this.moveRebuffering(-(t - resumedAt));
      this.state = "playing";
      this.rearm(t, p);
      out.push(this.summary());
    },

    endStall: function () {
      if (this.state === "rebuffering") this.state = "playing";
    },

    on_time: function (t, p, data, out) {
      if (this.hidden || this.failed) return;
      if (this.state === "starting" && p > this.refP && !data.paused) this.firstFrame(t, p, out);
      else if (this.state === "rebuffering" && p > this.moveP) this.resume(t, p, out);
    },
    on_tick: function (t, p, data, out) {
      this.on_time(t, p, data, out);
    },

    firstFrame: function (t, p, out) {
      var at = Math.max(this.refT, Math.min(t, t - (p - this.refP) / this.rate));
      var late = Math.min(t - at, this.starting);
      this.starting -= late;
      this.weigh(late);
      this.started = true;
      this.startup = this.starting;
      this.state = "playing";
      this.armed = true;
      this.rearm(t, p);
      out.push(this.summary());
    },

    on_play: function (t, p, data, out) {
      if (this.failed) return;
      if (!this.started) {
        if (this.state === "starting") return;
        this.intent = true;
        this.state = "starting";
        this.refT = t;
        this.refP = p;
        out.push(this.summary());
        return;
      }
      if (this.state === "paused" || this.state === "ended") {
        this.state = "playing";
        this.armed = true;
        this.rearm(t, p);
        out.push(this.summary());
      }
    },

    on_playing: function (t, p, data, out) {
      if (this.failed) return;
      if (this.state === "starting") {
        this.refT = Math.max(this.refT, t);
        this.refP = p;
      } else if (this.started && this.state !== "seeking") {
        if (this.state === "rebuffering") return this.resume(t, p, out);
        if (this.state !== "playing") {
          this.state = "playing";
          this.rearm(t, p);
          out.push(this.summary());
        }
        this.armed = true;
      }
    },

    on_pause: function (t, p, data, out) {
      if (this.failed || !this.intent) return;
      if (RUNNING[this.state] && this.state !== "seeking") {
        this.state = "paused";
        this.armed = false;
        out.push(this.summary());
      }
    },

    on_ended: function (t, p, data, out) {
      if (this.failed || !this.intent) return;
      this.state = "ended";
      this.armed = false;
      out.push(this.summary());
    },

    on_seeking: function (t, p, data, out) {
      if (this.failed) return;
      if (this.state !== "seeking") {
        this.seekFrom = this.state === "rebuffering" ? "playing" : this.state;
        this.state = "seeking";
      }
      var fresh = t - this.lastSeeking >= SEEK_MERGE;
      this.lastSeeking = t;
      if (fresh) {
        this.seeks += 1;
        if (this.intent) out.push(this.summary());
      }
    },

    on_seeked: function (t, p, data, out) {
      if (this.state !== "seeking") return;
      if (this.seekFrom === "idle") this.state = "idle";
      else if (data.paused) this.state = "paused";
      else this.state = this.started ? "playing" : "starting";
      if (this.state === "starting") {
        this.refT = t;
        this.refP = p;
      }
      this.rearm(t, p);
      if (this.intent) out.push(this.summary());
    },

    // `waiting` and `stalled` are hints only: they ask for a look at the playhead as soon as a
    // stall could be one; only the playhead decides.
    on_waiting: function () {},

    on_error: function (t, p, data, out) {
      if (this.failed) return;
      if (!this.intent && this.autoplay) this.on_play(t, p, {}, out); // autoplay was the intent
      this.failed = true;
      this.endStall();
      out.push({ name: "error", code: data.code, message: normalise(data.message || "") });
    },

    on_rendition: function (t, p, data) {
      if (!(data.bitrate > 0)) return;
      if (this.bitrate !== null && data.bitrate !== this.bitrate) this.renditions += 1;
      this.bitrate = data.bitrate;
    },

    on_view: function (t, p, data) {
      this.ratio = data.ratio;
      if (data.ratio >= 0.5 && !this.hidden) {
        if (this.viewStart === null) this.viewStart = t;
      } else this.viewStart = null;
    },

    on_hide: function (t, p, data, out) {
      if (this.hidden) return;
      this.hidden = true;
      this.viewStart = null;
      this.endStall();
      if (this.intent) out.push(this.summary());
    },

    on_show: function (t, p, data, out) {
      if (!this.hidden) return;
      this.hidden = false;
      this.rearm(t, p);
      if (this.ratio >= 0.5) this.viewStart = t;
      if (this.state === "starting") this.refT = t;
      if (this.intent) out.push(this.summary());
    },

    // The session ends (demonitor, a new source): what is pending goes out.
    on_end: function (t, p, data, out) {
      this.endStall();
      if (this.intent) out.push(this.summary());
    },

    checkViewable: function (t, out) {
      if (this.viewable || this.viewStart === null || this.hidden) return;
      if (t - this.viewStart >= VIEWABLE) {
        this.viewable = true;
        out.push({ name: "viewable" });
      }
    },

    summary: function () {
      var s = {
        name: "playback",
        state: this.state === "idle" || this.state === "failed" ? "starting" : this.state,
        hidden: this.hidden,
        watch: ms(this.watch),
        playing: ms(this.playing()),
        rebuffers: this.rebuffers,
        rebuffering: ms(this.rebuffering),
        seeks: this.seeks,
        seeking: ms(this.seeking),
        renditions: this.renditions,
      };
      if (this.startup !== null) s.startup = ms(this.startup);
      if (this.bitrateTime > 0) s.bitrate = Math.round(this.bitrateBits / this.bitrateTime);
      else if (this.bitrate !== null) s.bitrate = this.bitrate;
      if (this.upscaleTime > 0) s.upscale = ms(this.upscaleSum / this.upscaleTime);
      if (this.dropped !== null) {
        s.dropped = this.dropped;
        s.frames = this.frames;
      }
      return s;
    },
  };

  function ms(seconds) {
    return Math.round(Math.max(0, seconds) * 1000) / 1000;
  }

  // An error message without particulars, as app/ingest/failure.py makes it (the same rules,
  // in the same order): what could name a person or a file never leaves the page, and the same
  // error on every page is one group.
  var RULES = [
    [/[^\s@<>]+@[^\s@<>]+\.[A-Za-z]{2,}/g, "<email>"],
    [/(?:blob|data):[^\s<>"']+/g, "<url>"],
    [/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s<>"']+/g, "<url>"],
    [/\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g, "<id>"],
    [/\b0x[0-9a-fA-F]+\b/g, "<hex>"],
    [/\b(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b/g, "<hex>"],
    [/\b(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}\b/g, "<id>"],
    [/[0-9]+(?:\.[0-9]+)?/g, "<n>"],
  ];
  function normalise(message) {
    var text = String(message).replace(/\u0000/g, " ");
    for (var i = 0; i < RULES.length; i++) text = text.replace(RULES[i][0], RULES[i][1]);
    text = text.replace(/\s+/g, " ").replace(/^ | $/g, "");
    return Array.from(text).slice(0, 200).join(""); // characters, not UTF-16 units
  }

  M.Playback = Playback;
  M.normalise = normalise;
})(typeof self !== "undefined" ? self : globalThis);

// ---------------------------------------------------------------------------------------------
// Playback quality, part 2 of 2: the DOM wiring. Feeds the detector above what the element, the
// page and the player (hls.js, video.js) do, and pushes what it returns on the session's channel.
// Attached by Metrics.prototype.monitor() through `Metrics.quality`, stopped by demonitor() (its
// last summary sent) or by opting out (nothing more sent).
// ---------------------------------------------------------------------------------------------
(function (root) {
  "use strict";
  var M = root.Metrics;
  if (!M || M.quality || !M.Playback || !root.document) return;

  var EVENTS = ["play", "playing", "pause", "seeking", "seeked", "waiting", "stalled", "timeupdate",
    "ended", "error", "ratechange", "resize", "loadstart"];

  function now() {
    return performance.now() / 1000;
  }

  function Watcher(metrics) {
    var self = this;
    this.m = metrics;
    this.v = metrics.video;
    this.player = metrics.hls || null; // an hls.js instance or a video.js player, if given one
    this.timer = null;
    this.source = sourceOf(this);
    this.detector = new M.Playback(now(), {
      autoplay: this.v.autoplay,
      hidden: document.visibilityState === "hidden",
    });
    this.handler = function (e) {
      self.element(e);
    };
    for (var i = 0; i < EVENTS.length; i++) this.v.addEventListener(EVENTS[i], this.handler);
    this.unhook = hookPlayer(this);
    if (root.IntersectionObserver) {
      this.observer = new IntersectionObserver(function (entries) {
        var e = entries[entries.length - 1];
        self.feed("view", { ratio: e.isIntersecting ? e.intersectionRatio : 0 });
      }, { threshold: [0, 0.5, 1] });
      this.observer.observe(this.v);
    }
    if (this.source) this.send(this.detector.impression());
    var error = this.v.error; // it failed before it was monitored
    if (error && error.code !== 1) this.failed(String(error.code), error.message || MEDIA_ERRORS[error.code] || "");
  }

  Watcher.prototype = {
    feed: function (type, data) {
      var v = this.v;
      data = data || {};
      data.rate = v.playbackRate;
      data.paused = v.paused;
      data.ended = v.ended;
      data.upscale = upscale(v);
      if (v.getVideoPlaybackQuality) {
        var q = v.getVideoPlaybackQuality();
        data.dropped = q.droppedVideoFrames;
        data.frames = q.totalVideoFrames;
      }
      this.send(this.detector.input(type, now(), v.currentTime, data));
      this.schedule();
    },

    send: function (frames) {
      for (var i = 0; i < frames.length; i++) if (this.m.channel) this.m.channel.push("event", frames[i]);
    },

    // One timer, set to when the detector next wants a look (a stall due, viewability due).
    schedule: function () {
      var self = this;
      var at = this.stopped ? null : this.detector.wake();
      clearTimeout(this.timer);
      this.timer = at === null ? null : setTimeout(function () {
        self.feed("tick");
      }, Math.max(10, (at - now()) * 1000 + 5));
    },

    element: function (e) {
      var v = this.v;
      switch (e.type) {
        case "timeupdate":
          return this.feed("time");
        case "ratechange":
        case "resize":
          return this.feed("time");
        case "stalled":
          return this.feed("waiting");
        case "error":
          var error = v.error;
          // MEDIA_ERR_ABORTED (1) is the viewer or the page stopping the load, not a failure.
          if (!error || error.code === 1) return;
          return this.failed(String(error.code), error.message || MEDIA_ERRORS[error.code] || "");
        case "loadstart":
          if (!isHls(this.player)) this.sourceChanged(sourceOf(this));
          return;
      }
      this.feed(e.type);
    },

    failed: function (code, message) {
      this.feed("error", { code: code, message: message });
    },

    // A new source in the same element is a new session: end this one, start another.
    sourceChanged: function (source) {
      if (!source || source === this.source) return;
      if (!this.source) {
        this.source = source;
        return this.send(this.detector.impression());
      }
      var m = this.m;
      m.demonitor();
      m.monitor();
    },

    hide: function () {
      this.feed("hide");
    },
    show: function () {
      this.feed("show");
    },

    // `flush`: send what is pending first (demonitor); not when opting out.
    stop: function (flush) {
      if (this.stopped) return;
      if (flush) this.feed("end");
      this.stopped = true;
      clearTimeout(this.timer);
      for (var i = 0; i < EVENTS.length; i++) this.v.removeEventListener(EVENTS[i], this.handler);
      if (this.observer) this.observer.disconnect();
      if (this.unhook) this.unhook();
    },
  };

  var MEDIA_ERRORS = { 2: "network error", 3: "decode error", 4: "source not supported" };

  // The element plays a MediaSource of hls.js under a blob: URL that says nothing: its manifest's
  // URL is the source.
  function isHls(p) {
    return !!p && typeof p.loadSource === "function" && typeof p.on === "function";
  }
  function sourceOf(w) {
    var p = w.player;
    if (isHls(p)) return p.url || "";
    if (p && typeof p.currentSrc === "function") return p.currentSrc() || ""; // video.js
    return w.v.currentSrc || w.v.src || "";
  }

  // How much the picture is enlarged, in percent: device pixels of the player over the video's
  // own, the smaller of width and height (letterboxing shows the video at that scale).
  function upscale(v) {
    if (!v.videoWidth || !v.videoHeight || !v.clientWidth) return undefined;
    var dpr = root.devicePixelRatio || 1;
    var scale = Math.min((v.clientWidth * dpr) / v.videoWidth, (v.clientHeight * dpr) / v.videoHeight);
    return Math.round(Math.max(0, scale - 1) * 10000) / 100;
  }

  // hls.js: its fatal errors, its rendition switches, a new manifest (a new source).
  // video.js: its error (always fatal), its quality levels, its source changes.
  function hookPlayer(w) {
    var p = w.player;
    if (!p || typeof p.on !== "function") return null;
    if (isHls(p)) {
      var onLevel = function (event, data) {
        var level = p.levels && p.levels[data.level];
        if (level) w.feed("rendition", { bitrate: level.bitrate });
      };
      var onError = function (event, data) {
        if (!data || !data.fatal) return;
        var detail = (data.error && data.error.message) || data.reason || data.details || "";
        w.failed("hls:" + data.details, String(detail));
      };
      var onManifest = function (event, data) {
        if (data && data.url) w.sourceChanged(data.url);
      };
      p.on("hlsLevelSwitched", onLevel);
      p.on("hlsError", onError);
      p.on("hlsManifestLoading", onManifest);
      if (p.levels && p.levels[p.currentLevel]) w.feed("rendition", { bitrate: p.levels[p.currentLevel].bitrate });
      return function () {
        p.off("hlsLevelSwitched", onLevel);
        p.off("hlsError", onError);
        p.off("hlsManifestLoading", onManifest);
      };
    }
    var levels = typeof p.qualityLevels === "function" ? p.qualityLevels() : null;
    var onVjsError = function () {
      var e = p.error && p.error();
      if (e && e.code !== 1) w.failed("vjs:" + e.code, e.message || "");
    };
    var onQuality = function () {
      var level = levels[levels.selectedIndex];
      if (level && level.bitrate) w.feed("rendition", { bitrate: level.bitrate });
    };
    p.on("error", onVjsError);
    if (levels) levels.on("change", onQuality);
    return function () {
      p.off("error", onVjsError);
      if (levels) levels.off("change", onQuality);
    };
  }

  M.quality = function (metrics) {
    return new Watcher(metrics);
  };
})(typeof self !== "undefined" ? self : globalThis);
