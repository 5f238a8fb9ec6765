// The live camera coach in the guided session: webcam frames (JPEG, ~15 a second) go over a
// WebSocket to /ws/coach; each reply carries the rep count per side, the last rep's faults
// and cue, and the tracked body's points, drawn over the video. The cue is spoken.
// "Use the camera's count" puts the counts into the set's reps fields.
//
// A client with its own pose estimator sends landmark rows instead (CONTRACTS.md §2):
// window.ScapulaCoach.feedLandmarks(panel, header, rows) drives the same panel that way.
(function () {
  "use strict";
  const FPS = 15;
  const MAX_SIDE = 640;
  const IN_FLIGHT = 2; // frames sent and not answered: a slower server gets fewer frames
  const BONES = [[11, 12], [23, 24], [11, 23], [12, 24], [11, 13], [13, 15], [12, 14], [14, 16],
    [23, 25], [25, 27], [24, 26], [26, 28], [27, 31], [28, 32], [7, 11], [8, 12]];

  function say(text) {
    if (!("speechSynthesis" in window) || !text) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice: the cue is on the page */ }
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
      this.sent = null; // test hook: the frames sent, when window.scapulaKeepSent is set
      this.result = null;
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
          if (event.code !== 1000 && !this.result) this.show(event.reason || "The camera coach stopped.", "error");
          reject(new Error("closed"));
          this.ws = null;
        };
      });
    }

    onMessage(msg) {
      if (msg.type === "frame") {
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.replies.push({ t: msg.t, tracked: msg.tracked, total: msg.total });
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
      g.lineWidth = 3;
      g.strokeStyle = this.lastRep.classList.contains("fault") ? "#e5484d" : "#3ccf91";
      for (const [a, b] of BONES) {
        g.beginPath();
        g.moveTo(points[a][0] * w, points[a][1] * h);
        g.lineTo(points[b][0] * w, points[b][1] * h);
        g.stroke();
      }
      g.fillStyle = "#fff";
      for (const p of points) { g.beginPath(); g.arc(p[0] * w, p[1] * h, 3, 0, 2 * Math.PI); g.fill(); }
    }

    reset() {
      this.counts({ left: 0, right: 0, both: 0 });
      this.lastRep.textContent = "";
      this.lastRep.className = "last-rep";
      this.spoken = null;
      this.inFlight = 0;
    }

    async startCamera() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        this.show("This browser gives no camera here (it needs http://127.0.0.1 or https).", "error");
        return;
      }
      this.reset();
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
      this.video.srcObject = this.stream;
      await this.video.play();
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
      this.sent = window.scapulaKeepSent ? [] : null;
      this.start.hidden = true;
      this.stop.hidden = false;
      const t0 = performance.now();
      const g = grab.getContext("2d");
      this.capturing = true;
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

    stopCamera() {
      this.capturing = false;
      clearInterval(this.timer);
      this.timer = null;
      if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
      this.stream = null;
      this.panel.querySelector(".stage").hidden = true;
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
      return new Promise((resolve) => {
        const ws = this.ws;
        const done = (msg) => {
          this.stopCamera();
          if (msg && msg.report) {
            const r = msg.report.reps;
            this.show(`Counted ${r.total} rep${r.total === 1 ? "" : "s"}` +
              (r.left === null ? "" : ` (left ${r.left}, right ${r.right})`) + ` in ${msg.frames} frames.`, "tracked");
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
