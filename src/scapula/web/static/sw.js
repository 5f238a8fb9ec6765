// Scapula's service worker: keeps the app shell (styles, scripts, icons) and the last copy of
// each page visited (a page never visited says the computer cannot be reached), so the app opens from the home screen even when the computer that runs
// it cannot be reached. Pages come from the network first (they show the training log as it
// is now); the static files, whose URLs carry their version, from the cache first. The API,
// the coach's socket and form posts always go to the network.
"use strict";
const CACHE = "scapula-__VERSION__";
const SHELL = __SHELL__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("scapula-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()));
});

const OFFLINE = `<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · Scapula</title>
<body style="font:1.2rem/1.5 system-ui,sans-serif;max-width:32rem;margin:auto;padding:1rem">
<h1>Scapula cannot be reached</h1><p>The computer running <code>scapula serve</code> is off or on another
network. Start it, join the same Wi-Fi, then reload.</p></body></html>`;

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") cache.put(request, response.clone());
    return response;
  } catch (e) {
    const kept = await cache.match(request, { ignoreSearch: true });
    return kept || new Response(OFFLINE, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith("/static/")) event.respondWith(asset(request));
});
