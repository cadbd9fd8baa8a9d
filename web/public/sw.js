/* Soko's service worker: the app shell offline.
 * - On install it caches the shell: the page, the manifest, the icons and every built file (the
 *   build writes their names over SOKO_PRECACHE below), so the app opens with no network.
 * - Navigations: network first, the cached page when offline. Built files (/assets/, hashed):
 *   cache first. /config.json: network first, cached copy offline.
 * - API answers are not cached here: the app keeps its own last-seen copies of public reads
 *   (listings, prices) and never stores a signed-in user's private answers in a shared cache.
 * A new build has a new cache name (the build's hash), and activation deletes the old caches. */
const PRECACHE = self.SOKO_PRECACHE || [];
const VERSION = self.SOKO_VERSION || "dev";
const CACHE = `soko-shell-${VERSION}`;
const SHELL = ["/", "/manifest.webmanifest", "/config.json", "/icons/icon-192.png", "/icons/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...new Set([...SHELL, ...PRECACHE])]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("soko-shell-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallbackUrl || request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(fallbackUrl || request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, "/"));
  } else if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === "/config.json" || url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request));
  }
});

/* Web Push (the notifications pipeline, encrypted by the server, decrypted by the browser): each
 * push is {id, type, title, body, data} in the user's language; a push without a readable payload
 * still shows a notice in English and Luganda. Clicking opens the notifications list, focusing an
 * open Soko window when there is one. */
const PUSH_FALLBACK = {
  title: "Soko",
  body: "You have a new notification. / Olina obubaka obupya.",
};

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (err) {
    message = {};
  }
  const target = "/#/notifications"; // the list links on (a farmer's and a buyer's order pages differ)
  event.waitUntil(
    self.registration.showNotification(message.title || PUSH_FALLBACK.title, {
      body: message.body || PUSH_FALLBACK.body,
      tag: message.id || undefined,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: target },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/#/notifications", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin && "focus" in client) {
          return client.navigate(url).then((c) => (c || client).focus());
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
