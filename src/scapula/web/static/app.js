// Scapula pages: the rest countdown with a spoken cue, the stretch hold timer, the rep +/-
// buttons, keeping the screen awake during a session, and starting the demo clips. Plain
// DOM, no library besides htmx; every page works without it (the forms post as usual).
(function () {
  "use strict";
  let timer = null;

  function say(text) {
    // Web Speech API where the browser has it; silently nothing where it does not
    if (!("speechSynthesis" in window) || !text) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice: the countdown on the page is the cue */ }
  }

  function countdown(seconds, show, done) {
    clearInterval(timer);
    const end = Date.now() + seconds * 1000;
    function tick() {
      const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      show(left);
      if (left <= 0) { clearInterval(timer); timer = null; done(); }
    }
    tick();
    timer = setInterval(tick, 250);
  }

  let wakeLock = null;
  async function keepAwake() {
    try { if ("wakeLock" in navigator && !wakeLock) wakeLock = await navigator.wakeLock.request("screen"); }
    catch (e) { wakeLock = null; }
  }

  function fresh(el) {
    // each element is wired once, however many htmx events announce the same swap
    if (!el || el.dataset.bound) return false;
    el.dataset.bound = "1";
    return true;
  }

  function init(root) {
    // a new page (the body was swapped): the last page's timer stops, so it cannot speak later
    if (fresh(root.querySelector("main"))) {
      clearInterval(timer); timer = null;
      // after "Set done" the next set (and the rest) is at the top: show it, not where the tap was
      if (root.querySelector(".session-page")) window.scrollTo(0, 0);
    }
    const rest = root.querySelector(".rest[data-rest]");
    const hold = root.querySelector(".hold-form[data-hold]");
    if (fresh(rest)) {
      const secs = rest.querySelector(".secs");
      countdown(parseInt(rest.dataset.rest, 10) || 0, (left) => { secs.textContent = left; }, () => {
        rest.classList.add("over");
        rest.querySelector(".label").textContent = "Go";
        say(rest.dataset.say);
      });
      rest.querySelector(".skip-rest").addEventListener("click", () => {
        clearInterval(timer); timer = null; rest.remove();
      });
    }
    root.querySelectorAll(".stepper").forEach((box) => {
      if (!fresh(box)) return;
      const input = box.querySelector("input");
      box.querySelector(".minus").addEventListener("click", () => { input.value = Math.max(0, (parseInt(input.value, 10) || 0) - 1); });
      box.querySelector(".plus").addEventListener("click", () => { input.value = Math.min(100, (parseInt(input.value, 10) || 0) + 1); });
    });
    if (fresh(hold)) {
      const secs = hold.querySelector(".secs");
      const held = hold.querySelector("input[name=hold_s]");
      const start = hold.querySelector(".start-hold");
      let began = null;
      start.addEventListener("click", () => {
        began = Date.now();
        start.disabled = true;
        // "Seconds held" follows the clock, so ending the hold early logs what was really held
        const heldSoFar = () => { held.value = Math.round((Date.now() - began) / 100) / 10; };
        countdown(parseInt(hold.dataset.hold, 10) || 0, (left) => { secs.textContent = left; heldSoFar(); }, () => {
          heldSoFar();
          say(hold.dataset.say);
        });
      });
    }
    if (root.querySelector(".set-form")) keepAwake();
    // a demo clip swapped in by htmx does not start by itself, as it does on a full load
    root.querySelectorAll("video[autoplay]").forEach((v) => {
      if (v.paused) v.play().catch(() => { /* autoplay refused: the clip shows its first frame */ });
    });
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  // a boosted link or form swaps the body: wire the new page
  document.addEventListener("htmx:afterSettle", () => init(document));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible" && wakeLock) { wakeLock = null; keepAwake(); } });
})();
