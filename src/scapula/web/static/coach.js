// The live camera coach in the guided session: webcam frames (JPEG, ~15 a second) go over a
// WebSocket to /ws/coach; each reply carries the rep count per side, the last rep's faults
// and cue, and the tracked body's points, drawn over the video. The cue is spoken.
// "Use the camera's count" puts the counts into the set's reps fields.
//
// Where the app serves the in-browser pose estimator (/static/mp/, data-pose-files) and the
// device runs it fast enough, the page finds the pose itself and sends only landmark rows
// (CONTRACTS.md §2): the pictures never leave the device. It measures its own frame rate
// over the first seconds and, below PHONE_MIN_FPS, goes back to sending frames (and says so).
// window.ScapulaCoach.feedLandmarks(panel, header, rows) drives the panel with given rows.
// Test hooks: window.scapulaPoseMode = "frames" | "phone" (default "auto"), and
// window.scapulaKeepSent keeps what was sent.
(function () {
  "use strict";
  const FPS = 15;
  const MAX_SIDE = 640;
  const IN_FLIGHT = 2; // frames sent and not answered: a slower server gets fewer frames
  const PHONE_MIN_FPS = 8; // slower than this, the device's own estimate misses reps: frames go to the computer
  const TRIAL_S = 3; // the device's frame rate is measured over this long, after its first (slow) frame
  const POSE_SOURCE = "@mediapipe/pose 0.5.1675469404 BlazePose full, in the browser";
  const SLOW_KEY = "scapula.slowPose"; // a device found too slow once goes straight to frames
  const BONES = [[11, 12], [23, 24], [11, 23], [12, 24], [11, 13], [13, 15], [12, 14], [14, 16],
    [23, 25], [25, 27], [24, 26], [26, 28], [27, 31], [28, 32], [7, 11], [8, 12]];

  function say(text) {
    if (!("speechSynthesis" in window) || !text) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice: the cue is on the page */ }
  }

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  function insecureText() {
    return `No camera on this page: browsers give the camera only to a secure page (https://, or ` +
      `http://127.0.0.1 on the computer itself), and ${location.origin} is not one. To use this phone as ` +
      `the camera, start Scapula with "scapula serve --host 0.0.0.0 --https" and scan the code on its ` +
      `"Use your phone" page (Setup).`;
  }

  function webgl2() {
    try { return !!document.createElement("canvas").getContext("webgl2"); } catch (e) { return false; }
  }

  // pose.js and its files, loaded once a page: one estimator for every set
  let posePromise = null;
  function loadPose(base) {
    if (!posePromise) {
      posePromise = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = base + "pose.js";
        script.onload = () => {
          try {
            const pose = new window.Pose({ locateFile: (file) => base + file });
            // the server's settings (vision/pose.py): full model, tracking, smoothed
            pose.setOptions({ modelComplexity: 1, smoothLandmarks: true, enableSegmentation: false,
              minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
            resolve(pose);
          } catch (e) { reject(e); }
        };
        script.onerror = () => reject(new Error("the pose files did not load"));
        document.head.appendChild(script);
      });
      posePromise.catch(() => { posePromise = null; });
    }
    return posePromise;
  }

  function socketUrl(exercise) {
    const csrf = document.querySelector("meta[name=csrf-token]").content;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/coach?exercise=${encodeURIComponent(exercise)}&csrf=${encodeURIComponent(csrf)}`;
  }

  class Coach {
    constructor(panel) {
      this.panel = panel;
      this.exercise = panel.dataset.exercise;
      this.sides = panel.dataset.sides.split(" ");
      this.video = panel.querySelector("video");
      this.overlay = panel.querySelector("canvas.overlay");
      this.status = panel.querySelector(".status");
      this.lastRep = panel.querySelector(".last-rep");
      this.advice = panel.querySelector(".view-advice");
      this.advised = "";
      this.start = panel.querySelector(".start-camera");
      this.stop = panel.querySelector(".stop-camera");
      this.use = panel.querySelector(".use-count");
      this.ws = null;
      this.stream = null;
      this.timer = null;
      this.capturing = false;
      this.inFlight = 0;
      this.spoken = null;
      this.reps = { left: 0, right: 0, both: 0 };
      this.replies = [];
      this.t0 = performance.now();
      this.sent = null; // test hook: the frames sent, when window.scapulaKeepSent is set
      this.result = null;
      this.modeLine = panel.querySelector(".mode");
      this.poseFiles = panel.dataset.poseFiles || "";
      this.mode = null; // "phone" (landmark rows) | "frames" (JPEGs to the server) while the camera runs
      this.phoneFps = null;
      if (!window.isSecureContext || !navigator.mediaDevices) this.show(insecureText(), "error");
      this.start.addEventListener("click", () => this.startCamera());
      this.stop.addEventListener("click", () => this.finish());
      this.use.addEventListener("click", () => this.fill());
    }

    show(text, cls) {
      this.status.textContent = text;
      this.status.className = "status" + (cls ? " " + cls : "");
    }

    open(hello) {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(socketUrl(this.exercise));
        ws.binaryType = "arraybuffer";
        this.ws = ws;
        this.replies = [];
        this.result = null;
        ws.onopen = () => ws.send(JSON.stringify({ type: "hello", ...hello }));
        ws.onmessage = (event) => {
          const msg = JSON.parse(event.data);
          if (msg.type === "ready") resolve(msg);
          else this.onMessage(msg);
        };
        ws.onerror = () => reject(new Error("the coach's connection failed"));
        ws.onclose = (event) => {
          reject(new Error("closed"));
          if (this.ws !== ws) return; // a socket replaced on purpose (the switch to frames)
          if (event.code !== 1000 && !this.result) this.show(event.reason || "The camera coach stopped.", "error");
          this.ws = null;
        };
      });
    }

    onMessage(msg) {
      if (msg.type === "frame") {
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.replies.push({ t: msg.t, tracked: msg.tracked, total: msg.total, at: performance.now() - this.t0 });
        this.show(msg.tracked ? "Tracking you" : "Looking for you: step into view", msg.tracked ? "tracked" : "");
        this.draw(msg.points);
        this.counts(msg.reps);
        this.rep(msg.last_rep);
        this.viewAdvice(msg.view || []);
      } else if (msg.type === "skipped") {
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.replies.push({ t: msg.t, skipped: true });
      }
      if (msg.type === "frame" || msg.type === "skipped") {
        this.panel.dispatchEvent(new Event("coach:reply")); // feedLandmarks' pacing
      } else if (msg.type === "result") {
        this.result = msg;
        this.panel.dispatchEvent(new CustomEvent("coach:result", { detail: msg }));
      } else if (msg.type === "error") {
        this.show(msg.detail, "error");
      }
    }

    counts(reps) {
      this.reps = reps;
      this.panel.querySelectorAll(".count").forEach((box) => {
        box.querySelector(".n").textContent = reps[box.dataset.side] || 0;
      });
      const any = this.sides.some((s) => reps[s] > 0);
      this.use.disabled = !any;
    }

    viewAdvice(lines) {
      // what is wrong with the camera's view: shown while it lasts, said once
      if (!this.advice) return;
      const text = lines.join(". ");
      this.advice.hidden = !text;
      this.advice.textContent = text ? text + "." : "";
      if (text && text !== this.advised) say(text);
      this.advised = text;
    }

    rep(last) {
      if (!last) return;
      const key = `${last.side}:${last.index}`;
      if (key === this.spoken) return;
      this.spoken = key;
      const side = last.side === "both" ? "" : ` (${last.side})`;
      if (last.faults.length) {
        this.lastRep.className = "last-rep fault";
        this.lastRep.textContent = `Rep ${last.index}${side}: ${last.faults.map((f) => f.name).join(", ")}. ${last.cue}`;
        say(last.cue);
      } else {
        this.lastRep.className = "last-rep clean";
        this.lastRep.textContent = `Rep ${last.index}${side}: clean.`;
      }
    }

    draw(points) {
      const c = this.overlay;
      if (!c || this.panel.querySelector(".stage").hidden) return;
      const w = c.clientWidth, h = c.clientHeight;
      if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
      const g = c.getContext("2d");
      g.clearRect(0, 0, w, h);
      if (!points) return;
      // the video is shown whole (object-fit: contain): map the points into the picture's box
      const vw = this.video.videoWidth || w, vh = this.video.videoHeight || h;
      const k = Math.min(w / vw, h / vh);
      const ox = (w - vw * k) / 2, oy = (h - vh * k) / 2;
      const x = (p) => ox + p[0] * vw * k, y = (p) => oy + p[1] * vh * k;
      g.lineWidth = 3;
      g.strokeStyle = this.lastRep.classList.contains("fault") ? "#e5484d" : "#3ccf91";
      for (const [a, b] of BONES) {
        g.beginPath();
        g.moveTo(x(points[a]), y(points[a]));
        g.lineTo(x(points[b]), y(points[b]));
        g.stroke();
      }
      g.fillStyle = "#fff";
      for (const p of points) { g.beginPath(); g.arc(x(p), y(p), 3, 0, 2 * Math.PI); g.fill(); }
    }

    reset() {
      this.counts({ left: 0, right: 0, both: 0 });
      this.lastRep.textContent = "";
      this.lastRep.className = "last-rep";
      this.spoken = null;
      this.inFlight = 0;
      this.draw(null); // no skeleton left over from the last set (or the last mode)
    }

    showMode(text) {
      if (this.modeLine) { this.modeLine.textContent = text || ""; this.modeLine.hidden = !text; }
    }

    async startCamera() {
      if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        this.show(insecureText(), "error");
        return;
      }
      this.reset();
      this.replies = [];
      this.start.disabled = true;
      try {
        this.stream = await navigator.mediaDevices.getUserMedia(
          { video: { width: { ideal: 640 }, height: { ideal: 360 }, facingMode: "user" }, audio: false });
      } catch (e) {
        this.show("No camera: " + e.message, "error");
        this.start.disabled = false;
        return;
      }
      this.panel.querySelector(".stage").hidden = false;
      this.video.hidden = false;
      this.video.srcObject = this.stream;
      await this.video.play();
      this.sent = window.scapulaKeepSent ? [] : null;
      this.start.hidden = true;
      this.stop.hidden = false;
      this.capturing = true;
      this.panel.classList.add("running");
      document.body.classList.add("coach-live");
      const wanted = window.scapulaPoseMode || "auto";
      let why = null; // why the frames go to the computer, when the device could have found the pose
      if (wanted === "frames") why = "";
      else if (!this.poseFiles) why = "the in-browser pose files are not installed on the computer (make install)";
      else if (!window.WebAssembly || !webgl2()) why = "this browser cannot run the pose model (no WebAssembly or WebGL 2)";
      else if (wanted === "auto" && localStorage.getItem(SLOW_KEY)) why = localStorage.getItem(SLOW_KEY);
      if (why === null) {
        try {
          await this.startPhone(wanted === "auto");
          return;
        } catch (e) {
          if (!this.capturing) return;
          why = "the pose model did not start here (" + e.message + ")";
        }
      }
      this.showMode(why ? `Frames go to the computer: ${why}. They are analysed in memory and never kept.` : "");
      await this.startFrames();
    }

    // frames mode: JPEGs over the socket, the server finds the pose
    async startFrames() {
      this.mode = "frames";
      const scale = Math.min(1, MAX_SIDE / Math.max(this.video.videoWidth, this.video.videoHeight));
      const grab = document.createElement("canvas");
      grab.width = Math.round(this.video.videoWidth * scale);
      grab.height = Math.round(this.video.videoHeight * scale);
      this.show("Connecting…");
      try {
        await this.open({ mode: "video", width: grab.width, height: grab.height, fps: FPS });
      } catch (e) {
        this.stopCamera();
        return;
      }
      if (!this.capturing) return;
      const t0 = performance.now();
      this.t0 = t0; // replies keep their arrival time from here (benchmarks/live_latency.py reads them)
      const g = grab.getContext("2d");
      // JPEG encoding is asynchronous and two frames may be encoding at once: their blobs can
      // come back in either order, so each frame waits for the one captured before it and the
      // server gets them in capture order (it refuses a frame that goes back in time)
      let previous = Promise.resolve();
      this.timer = setInterval(() => {
        if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.inFlight >= IN_FLIGHT) return;
        const t = (performance.now() - t0) / 1000;
        g.drawImage(this.video, 0, 0, grab.width, grab.height);
        this.inFlight += 1;
        const encoded = new Promise((resolve) => grab.toBlob(resolve, "image/jpeg", 0.85))
          .then((blob) => (blob ? blob.arrayBuffer() : null));
        previous = previous.then(() => encoded).then((buffer) => {
          // a frame encoded after the set ended is dropped: "end" covers what was sent before it
          if (!buffer || !this.capturing || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
            this.inFlight -= 1;
            return;
          }
          const message = new Uint8Array(8 + buffer.byteLength);
          new DataView(message.buffer).setFloat64(0, t, true);
          message.set(new Uint8Array(buffer), 8);
          this.ws.send(message);
          if (this.sent) this.sent.push(message);
        }, () => { this.inFlight -= 1; });
      }, 1000 / FPS);
    }

    // phone mode: the pose is found here and only its landmark rows go over the socket
    async startPhone(mayFallBack) {
      this.mode = "phone";
      this.phoneFps = null;
      this.trialDone = false; // set once the frame rate has been measured over TRIAL_S
      delete this.panel.dataset.phoneFps;
      this.show("Loading the pose model on this device…");
      const pose = await loadPose(this.poseFiles);
      let latest = null;
      pose.onResults((results) => { latest = results; });
      await pose.initialize();
      if (!this.capturing) return;
      await this.open({ mode: "landmarks", header: {
        format: "scapula-landmarks", version: 1, fps: FPS, width: this.video.videoWidth,
        height: this.video.videoHeight, source: POSE_SOURCE } });
      this.showMode("Pose found on this device: only the body's points go to the computer, never a picture.");
      const t0 = performance.now();
      this.t0 = t0;
      let n = 0;
      let trialStart = 0;
      while (this.capturing && this.mode === "phone") {
        const began = performance.now();
        latest = null;
        await pose.send({ image: this.video });
        if (!this.capturing || this.mode !== "phone") break;
        const t = Math.round(began - t0) / 1000;
        const row = { t, image: null, world: null };
        if (latest && latest.poseLandmarks) {
          row.image = latest.poseLandmarks.map((p) => [p.x, p.y, p.z, p.visibility === undefined ? 0 : p.visibility]);
          if (latest.poseWorldLandmarks) row.world = latest.poseWorldLandmarks.map((p) => [p.x, p.y, p.z]);
        }
        if (this.ws && this.ws.readyState === WebSocket.OPEN && this.inFlight < IN_FLIGHT) {
          this.inFlight += 1;
          const text = JSON.stringify(row);
          this.ws.send(text);
          if (this.sent) this.sent.push(text);
        }
        n += 1;
        if (n === 1) {
          trialStart = performance.now();
        } else {
          const seconds = (performance.now() - trialStart) / 1000;
          this.phoneFps = (n - 1) / seconds;
          this.panel.dataset.phoneFps = this.phoneFps.toFixed(1);
          if (seconds >= TRIAL_S && !this.trialDone) {
            this.trialDone = true;
            if (mayFallBack && this.phoneFps < PHONE_MIN_FPS) {
              await this.fallBack(this.phoneFps);
              return;
            }
          }
          this.showMode(`Pose found on this device (${this.phoneFps.toFixed(1)} frames/s): only the body's ` +
            "points go to the computer, never a picture.");
        }
        // at most FPS a second, and always a turn of the event loop (the page stays responsive)
        await sleep(Math.max(0, 1000 / FPS - (performance.now() - began)));
      }
    }

    async fallBack(fps) {
      const why = `this device finds the pose at ${fps.toFixed(1)} frames/s, too slow to count reps`;
      try { localStorage.setItem(SLOW_KEY, why); } catch (e) { /* private mode: it tries again next time */ }
      const old = this.ws;
      this.ws = null;
      if (old && old.readyState === WebSocket.OPEN) { old.send(JSON.stringify({ type: "bye" })); old.close(1000); }
      this.reset();
      if (this.sent) this.sent = [];
      this.showMode(`Frames go to the computer: ${why}. They are analysed in memory and never kept.`);
      await this.startFrames();
    }

    stopCamera() {
      this.capturing = false;
      this.mode = null;
      clearInterval(this.timer);
      this.timer = null;
      if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
      this.stream = null;
      this.panel.querySelector(".stage").hidden = true;
      this.panel.classList.remove("running");
      document.body.classList.remove("coach-live");
      this.start.hidden = false;
      this.start.disabled = false;
      this.stop.hidden = true;
    }

    // The end of a set: the server's report of every frame it analysed (the same as
    // `scapula analyze` on them); the page keeps the counts until "use" or the next start.
    finish() {
      clearInterval(this.timer);
      this.timer = null;
      this.capturing = false;
      this.mode = null;
      return new Promise((resolve) => {
        const ws = this.ws;
        const done = (msg) => {
          this.stopCamera();
          if (msg && msg.report) {
            const r = msg.report.reps;
            const where = msg.live && msg.live.mode === "landmarks" ? "pose found on this device" : "frames analysed on the computer";
            this.show(`Counted ${r.total} rep${r.total === 1 ? "" : "s"}` +
              (r.left === null ? "" : ` (left ${r.left}, right ${r.right})`) + ` in ${msg.frames} frames (${where}).`, "tracked");
          } else {
            this.show("Camera off");
          }
          if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "bye" }));
          resolve(msg);
        };
        if (!ws || ws.readyState !== WebSocket.OPEN) { done(null); return; }
        this.panel.addEventListener("coach:result", (e) => done(e.detail), { once: true });
        ws.send(JSON.stringify({ type: "end" }));
      });
    }

    async feedLandmarks(header, rows) {
      this.reset();
      await this.open({ mode: "landmarks", header });
      this.panel.querySelector(".stage").hidden = false;
      this.video.hidden = true;
      this.show("Receiving landmarks");
      for (const row of rows) {
        // one row at a time, as a phone app would: the next goes when the reply is in
        await new Promise((resolve) => {
          this.panel.addEventListener("coach:reply", resolve, { once: true });
          this.ws.send(JSON.stringify(row));
        });
      }
      return this.finish();
    }

    fill() {
      for (const side of this.sides) {
        const input = document.getElementById(`reps_${side}`);
        if (input) input.value = this.reps[side] || 0;
      }
    }
  }

  function init() {
    document.querySelectorAll("section.coach").forEach((panel) => {
      if (panel.coach) return;
      panel.coach = new Coach(panel);
    });
  }

  window.ScapulaCoach = {
    feedLandmarks: (panel, header, rows) => panel.coach.feedLandmarks(header, rows),
  };
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
  // leaving the page (an htmx swap) stops the camera
  document.addEventListener("htmx:beforeSwap", () => {
    document.querySelectorAll("section.coach").forEach((panel) => {
      if (panel.coach) { panel.coach.stopCamera(); if (panel.coach.ws) panel.coach.ws.close(1000); }
    });
  });
})();
