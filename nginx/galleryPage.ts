// Inlined byte for byte: the page's Content-Security-Policy allows exactly these by their sha256.
// With the media worker (a location's `meta` in the config block) a card shows the worker's
// poster and loads no video bytes until it is played; without it, a player that preloads metadata.
// A video whose metadata names an HLS ladder plays it through hls.js, loaded on the first such play.
import { HLS_JS_SHA256 } from "./static/hls";

/** Where nginx serves the image's hls.js (nginx/gallery.ts); its hash in the name, so cached for good. */
export const HLS_JS_URL = `/-/static/hls.${HLS_JS_SHA256.slice(0, 12)}.min.js`;
/** Its Subresource Integrity, which the page's CSP names too: the one external script it may run. */
export const HLS_JS_INTEGRITY = `sha256-${Buffer.from(HLS_JS_SHA256, "hex").toString("base64")}`;

export const GALLERY_STYLE = `
:root { color-scheme: dark; --bg: #111418; --card: #1b2027; --text: #e8eaed; --muted: #9aa3ad; --accent: #6cb4ff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; }
header { padding: 20px 24px 8px; }
h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
#status { margin: 0; color: var(--muted); }
section { padding: 8px 24px 24px; }
h2 { font-size: 16px; font-weight: 600; margin: 12px 0; }
h2 a { color: var(--accent); text-decoration: none; }
h2 .count { color: var(--muted); font-weight: 400; margin-left: 8px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; }
figure { margin: 0; background: var(--card); border-radius: 8px; overflow: hidden; }
video, img, .thumb { display: block; width: 100%; aspect-ratio: 16 / 9; background: #000; object-fit: contain; }
img { object-fit: cover; }
.thumb { position: relative; margin: 0; padding: 0; border: 0; color: var(--muted); font: inherit; cursor: pointer; overflow: hidden; }
.thumb img { height: 100%; }
.video .thumb img { object-fit: contain; }
.thumb .state { position: absolute; left: 0; right: 0; bottom: 10px; text-align: center; font-size: 13px; }
.thumb .play { position: absolute; left: 50%; top: 50%; width: 52px; height: 52px; margin: -26px 0 0 -26px; border-radius: 50%; background: rgba(0, 0, 0, 0.6); opacity: 0.8; }
.thumb .play::after { content: ""; position: absolute; left: 20px; top: 15px; border-style: solid; border-width: 11px 0 11px 18px; border-color: transparent transparent transparent #fff; }
.thumb:hover .play, .thumb:focus-visible .play { opacity: 1; background: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.thumb:focus-visible, .player:focus-visible { outline-offset: -3px; }
figcaption { padding: 8px 10px; display: flex; flex-direction: column; gap: 2px; min-width: 0; }
figcaption a { color: var(--text); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
figcaption a:hover { color: var(--accent); }
figcaption span { color: var(--muted); font-size: 13px; }
figcaption .rendition { color: var(--accent); }
.note { color: var(--muted); }
`;

export const GALLERY_SCRIPT = `
(function () {
  "use strict";
  var VIDEO = /\\.(mp4|m4v|webm|mov|ogv)$/i;
  var IMAGE = /\\.(jpe?g|png|gif|webp|avif)$/i;
  var DESCRIBED = /\\.(mp4|m4v|webm|mov|ogv|jpe?g|png|gif|webp)$/i; /* what the worker describes (worker/src/settings.ts) */
  var MAX_DEPTH = 4;      /* folder levels below a location */
  var MAX_LISTINGS = 200; /* listing requests per page load */
  var MAX_CARDS = 500;    /* cards per location, newest first */
  var META_AT_ONCE = 4;   /* metadata requests in flight */
  var MAX_META = 1000;    /* metadata requests per page load, retries included */
  var RETRY_SECONDS = [2, 4, 8, 16, 32]; /* after a 404: the worker has not described the file yet */
  var HLS_JS = { src: ${JSON.stringify(HLS_JS_URL)}, integrity: ${JSON.stringify(HLS_JS_INTEGRITY)} };
  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var PLAYER_ATTRIBUTES = ["data-player", "data-renditions", "data-rendition"];
  var config = JSON.parse(document.getElementById("gallery-config").textContent);
  var listings = 0;
  var metaRequests = 0;
  var inFlight = 0;
  var waiting = [];
  var playing = null;
  var hlsJs = null; /* the promise of hls.js, once a ladder was played */
  var cards = new Map();
  /* Metadata is asked for as cards come near the viewport, so a long page costs what is seen. */
  var observer = typeof IntersectionObserver === "function"
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) return;
          observer.unobserve(e.target);
          lookUp(cards.get(e.target));
        });
      }, { rootMargin: "400px" })
    : null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function count(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function counts(videos, images, joiner) {
    var parts = [];
    if (videos > 0) parts.push(count(videos, "video"));
    if (images > 0) parts.push(count(images, "image"));
    return parts.length > 0 ? parts.join(joiner) : "nothing yet";
  }
  function encodePath(rel) { return rel.split("/").map(encodeURIComponent).join("/"); }
  function size(bytes) {
    var units = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + " " + units[i];
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function details(meta) {
    var parts = [];
    if (meta.kind === "video" && isNumber(meta.durationSeconds)) parts.push(clock(meta.durationSeconds));
    if (isNumber(meta.width) && isNumber(meta.height) && meta.width > 0 && meta.height > 0) {
      parts.push(meta.width + "\\u00d7" + meta.height);
    }
    return parts.join(" \\u00b7 ");
  }
  /* A poster path from the metadata, if it stays on this origin. */
  function ownPath(p) {
    if (typeof p !== "string" || p.charAt(0) !== "/") return null;
    try { return new URL(p, location.href).origin === location.origin ? p : null; } catch (e) { return null; }
  }

  async function list(listing, rel, depth, files) {
    if (listings >= MAX_LISTINGS) return;
    listings += 1;
    var res = await fetch(listing + encodePath(rel), { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (!res.ok) throw new Error("HTTP " + res.status);
    var entries = await res.json();
    for (var i = 0; i < entries.length; i += 1) {
      var e = entries[i];
      if (e.type === "directory" && depth < MAX_DEPTH) {
        /* A folder that cannot be listed is left out; the location's own listing decides the rest. */
        await list(listing, rel + e.name + "/", depth + 1, files).catch(function () {});
      } else if (e.type === "file" && (VIDEO.test(e.name) || IMAGE.test(e.name))) {
        files.push({ rel: rel + e.name, name: e.name, mtime: Date.parse(e.mtime) || 0, size: e.size, video: VIDEO.test(e.name) });
      }
    }
  }

  /* The card's thumbnail in one of its states: loading, processing, ready (with or without a poster), plain. */
  function paint(c, state, poster) {
    c.figure.setAttribute("data-state", state);
    c.poster = poster;
    clear(c.thumb);
    if (state === "loading" || state === "processing") {
      c.thumb.appendChild(el("span", { "class": "state" }, state === "processing" ? "Processing\\u2026" : ""));
    } else if (poster !== null || !c.file.video) {
      var img = el("img", { src: poster || c.url, alt: c.file.video ? "" : c.file.name, loading: "lazy" });
      /* A poster replaced since the metadata was read: the file itself instead. */
      if (poster !== null) img.addEventListener("error", function () { paint(c, "plain", null); });
      c.thumb.appendChild(img);
    }
    if (c.file.video) c.thumb.appendChild(el("span", { "class": "play", "aria-hidden": "true" }));
  }

  function lookUp(c) {
    waiting.push(c);
    pump();
  }
  function pump() {
    while (inFlight < META_AT_ONCE && waiting.length > 0) run(waiting.shift());
  }
  function run(c) {
    inFlight += 1;
    describe(c)
      .catch(function () { paint(c, "plain", null); })
      .then(function () { inFlight -= 1; pump(); });
  }
  async function describe(c) {
    if (metaRequests >= MAX_META) throw new Error("too many metadata requests");
    metaRequests += 1;
    var res = await fetch(c.meta, { headers: { Accept: "application/json" }, cache: "no-cache" });
    if (res.status === 404 && c.attempt < RETRY_SECONDS.length) {
      paint(c, "processing", null);
      setTimeout(function () { lookUp(c); }, RETRY_SECONDS[c.attempt] * 1000);
      c.attempt += 1;
      return;
    }
    if (!res.ok) throw new Error("HTTP " + res.status);
    var meta = await res.json();
    c.hls = meta.kind === "video" && meta.hls ? ownPath(meta.hls.master) : null;
    c.details.textContent = details(meta);
    paint(c, "ready", ownPath(meta.poster));
  }

  /* The script element is inserted once needed: most visits play no ladder, and it is large. */
  function loadHls() {
    if (hlsJs !== null) return hlsJs;
    hlsJs = new Promise(function (resolve, reject) {
      var script = el("script", { src: HLS_JS.src, integrity: HLS_JS.integrity });
      script.addEventListener("load", function () {
        if (typeof window.Hls === "function") resolve(window.Hls);
        else reject(new Error("hls.js defined no Hls"));
      });
      script.addEventListener("error", function () {
        hlsJs = null; /* asked again on the next play */
        script.remove();
        reject(new Error("hls.js did not load"));
      });
      document.head.appendChild(script);
    });
    return hlsJs;
  }

  /* Playing replaces the thumbnail with a player; only one plays at a time. */
  function play(c) {
    if (playing !== null) stop(false);
    var video = el("video", { "class": "player", controls: "", autoplay: "" });
    if (c.poster) video.setAttribute("poster", c.poster);
    c.figure.replaceChild(video, c.thumb);
    var p = { card: c, video: video, hls: null, rendition: null };
    playing = p;
    video.focus();
    if (c.hls === null) { source(p, "mp4", c.url, 0); return; }
    /* hls.js wherever it runs (MediaSource), even where the browser says it "maybe" plays HLS. */
    loadHls().then(function (Hls) {
      if (playing !== p) return;
      if (Hls.isSupported()) attach(p, Hls);
      else if (video.canPlayType(HLS_TYPE) !== "") source(p, "native", c.hls, 0);
      else source(p, "mp4", c.url, 0);
    }, function () {
      if (playing === p) source(p, "mp4", c.url, 0);
    });
  }
  function source(p, player, url, at) {
    p.card.figure.setAttribute("data-player", player);
    p.video.setAttribute("src", url);
    if (at > 0) p.video.addEventListener("loadedmetadata", function () { p.video.currentTime = at; }, { once: true });
    var started = p.video.play();
    if (started) started.catch(function () {});
  }
  function attach(p, Hls) {
    var c = p.card, hls = new Hls({ enableWorker: false, capLevelToPlayerSize: true });
    p.hls = hls;
    p.rendition = el("span", { "class": "rendition" }, "HLS");
    c.caption.appendChild(p.rendition);
    c.figure.setAttribute("data-player", "hls.js");
    hls.on(Hls.Events.MANIFEST_PARSED, function (event, data) {
      c.figure.setAttribute("data-renditions", String(data.levels.length));
      var started = p.video.play();
      if (started) started.catch(function () {});
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, function (event, data) {
      var level = hls.levels[data.level];
      if (!level || !isNumber(level.height)) return;
      c.figure.setAttribute("data-rendition", String(level.height));
      p.rendition.textContent = "HLS \\u00b7 " + level.height + "p";
    });
    /* A ladder that cannot play (a rung missing, a codec refused): the original file, where it was. */
    hls.on(Hls.Events.ERROR, function (event, data) {
      if (!data.fatal || playing !== p || p.hls !== hls) return;
      var at = p.video.currentTime;
      detach(p);
      source(p, "mp4", c.url, at);
    });
    hls.loadSource(c.hls);
    hls.attachMedia(p.video);
  }
  function detach(p) {
    if (p.hls !== null) p.hls.destroy();
    p.hls = null;
    if (p.rendition !== null) p.rendition.remove();
    p.rendition = null;
    PLAYER_ATTRIBUTES.forEach(function (a) { p.card.figure.removeAttribute(a); });
  }
  function stop(refocus) {
    var p = playing;
    playing = null;
    detach(p);
    p.video.pause();
    p.video.removeAttribute("src");
    p.video.load();
    p.card.figure.replaceChild(p.card.thumb, p.video);
    if (refocus) p.card.thumb.focus();
  }

  /* The nearest card in the next row up or down, by position on screen (across sections). */
  function vertical(all, from, dir) {
    var r = all[from].getBoundingClientRect(), x = r.left + r.width / 2, best = -1, bestRow = 0, bestDx = 0;
    for (var i = 0; i < all.length; i += 1) {
      var q = all[i].getBoundingClientRect(), row = dir * (q.top - r.top), dx = Math.abs(q.left + q.width / 2 - x);
      if (row < 1) continue;
      if (best < 0 || row < bestRow - 1 || (row <= bestRow + 1 && dx < bestDx)) { best = i; bestRow = row; bestDx = dx; }
    }
    return best;
  }
  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "Escape" && playing !== null) { e.preventDefault(); stop(true); return; }
    var t = e.target, figure = t.closest ? t.closest("figure") : null;
    /* A focused player keeps its own keys (arrows seek, space pauses). */
    if (figure === null || t.tagName === "VIDEO") return;
    if (e.key === " " && t.tagName === "A") { e.preventDefault(); t.click(); return; }
    var all = Array.prototype.slice.call(document.querySelectorAll("figure")), at = all.indexOf(figure), next;
    if (e.key === "ArrowRight") next = at + 1;
    else if (e.key === "ArrowLeft") next = at - 1;
    else if (e.key === "ArrowDown") next = vertical(all, at, 1);
    else if (e.key === "ArrowUp") next = vertical(all, at, -1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = all.length - 1;
    else return;
    e.preventDefault();
    if (next >= 0 && next < all.length) all[next].querySelector(".thumb, .player").focus();
  }

  function card(location, f) {
    var url = location.path + encodePath(f.rel);
    var meta = typeof location.meta === "string" && DESCRIBED.test(f.name) ? location.meta + encodePath(f.rel) + ".json" : null;
    var c = { figure: el("figure", { "class": f.video ? "video" : "image" }), file: f, url: url, meta: meta, attempt: 0, poster: null, hls: null };
    if (f.video && meta === null) {
      c.thumb = el("video", { "class": "thumb", controls: "", preload: "metadata", src: url });
    } else if (f.video) {
      c.thumb = el("button", { "class": "thumb", type: "button", "aria-label": "Play " + f.rel });
      c.thumb.addEventListener("click", function () { play(c); });
    } else {
      c.thumb = el("a", { "class": "thumb", href: url });
    }
    c.figure.appendChild(c.thumb);
    var caption = el("figcaption", {});
    c.caption = caption;
    caption.appendChild(el("a", { href: url, title: f.rel }, f.rel));
    caption.appendChild(el("span", {}, size(f.size) + " \\u00b7 " + new Date(f.mtime).toLocaleString()));
    if (meta === null) {
      if (!f.video) paint(c, "plain", null);
    } else {
      c.details = el("span", { "class": "details" });
      caption.appendChild(c.details);
      paint(c, "loading", null);
    }
    c.figure.appendChild(caption);
    return c;
  }

  async function show(location, main) {
    var section = el("section", { "data-location": location.path });
    var heading = el("h2", {});
    heading.appendChild(el("a", { href: location.path }, location.path));
    section.appendChild(heading);
    main.appendChild(section);
    var files = [];
    try {
      await list(location.listing, "", 0, files);
    } catch (err) {
      section.appendChild(el("p", { "class": "note" }, "Not available (" + err.message + ")."));
      return { videos: 0, images: 0 };
    }
    files.sort(function (a, b) { return b.mtime - a.mtime || (a.rel < b.rel ? -1 : 1); });
    var shown = files.slice(0, MAX_CARDS);
    var videos = shown.filter(function (f) { return f.video; }).length;
    heading.appendChild(el("span", { "class": "count" }, counts(videos, shown.length - videos, ", ")));
    var grid = el("div", { "class": "grid" });
    var made = shown.map(function (f) { return card(location, f); });
    made.forEach(function (c) { grid.appendChild(c.figure); });
    section.appendChild(grid);
    made.forEach(function (c) {
      if (c.meta === null) return;
      if (observer === null) { lookUp(c); return; }
      cards.set(c.figure, c);
      observer.observe(c.figure);
    });
    return { videos: videos, images: shown.length - videos };
  }

  async function main() {
    var root = document.getElementById("sections");
    var totals = { videos: 0, images: 0 };
    document.addEventListener("keydown", onKey);
    for (var i = 0; i < config.locations.length; i += 1) {
      var shown = await show(config.locations[i], root);
      totals.videos += shown.videos;
      totals.images += shown.images;
    }
    document.getElementById("status").textContent = config.locations.length === 0
      ? "No folder is listed here (the gallery shows locations with autoindex on and no secure links)."
      : counts(totals.videos, totals.images, " and ");
    document.body.setAttribute("data-state", "ready");
  }

  main().catch(function (err) {
    document.getElementById("status").textContent = "Could not load the gallery: " + err.message;
    document.body.setAttribute("data-state", "failed");
  });
})();
`;
