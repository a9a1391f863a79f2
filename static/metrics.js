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
        : this.video || (this.hls && this.hls.media);
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
      if (this.playing()) this.play(video.currentTime);
      return this;
    },

    demonitor: function () {
      var at = held.indexOf(this);
      if (at >= 0) held.splice(at, 1);
      if (!this.channel) return;
      this.pause(this.position());
      this.channel.leave();
      this.detach();
    },

    // The channel is left already, or (opting out) dropped unsent.
    detach: function (drop) {
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

  // Leaving the page or hiding it ends what is being watched: a closed tab on a phone may never run
  // another line. Coming back (a visible tab, or a page restored from the back-forward cache)
  // resumes counting from where the video is.
  function isHidden() {
    return !!root.document && document.visibilityState === "hidden";
  }
  function hidden() {
    instances.forEach(function (m) {
      m.pause(m.position());
    });
  }
  function shown() {
    instances.forEach(function (m) {
      if (m.channel && m.playing()) m.play(m.video.currentTime);
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
