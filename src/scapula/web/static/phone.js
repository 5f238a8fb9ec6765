// Scapula on a phone: registers the service worker (static/sw.js, served at /sw.js) that lets
// the app be added to the home screen and open without the network. Browsers only allow it
// on a secure page (https, or 127.0.0.1 on the computer itself).
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", () => {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => { /* the app works without it */ });
    });
  }
})();
