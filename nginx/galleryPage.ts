// Inlined byte for byte: the page's Content-Security-Policy allows exactly these by their sha256.

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
video, img { display: block; width: 100%; aspect-ratio: 16 / 9; background: #000; object-fit: contain; }
img { object-fit: cover; }
figcaption { padding: 8px 10px; display: flex; flex-direction: column; gap: 2px; min-width: 0; }
figcaption a { color: var(--text); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
figcaption a:hover { color: var(--accent); }
figcaption span { color: var(--muted); font-size: 13px; }
.note { color: var(--muted); }
`;

export const GALLERY_SCRIPT = `
(function () {
  "use strict";
  var VIDEO = /\\.(mp4|m4v|webm|mov|ogv)$/i;
  var IMAGE = /\\.(jpe?g|png|gif|webp|avif)$/i;
  var MAX_DEPTH = 4;      /* folder levels below a location */
  var MAX_LISTINGS = 200; /* listing requests per page load */
  var MAX_CARDS = 500;    /* cards per location, newest first */
  var config = JSON.parse(document.getElementById("gallery-config").textContent);
  var listings = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
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

  function card(location, f) {
    var url = location.path + encodePath(f.rel);
    var figure = el("figure", { "class": f.video ? "video" : "image" });
    if (f.video) {
      figure.appendChild(el("video", { controls: "", preload: "metadata", src: url }));
    } else {
      var link = el("a", { href: url });
      link.appendChild(el("img", { src: url, alt: f.name, loading: "lazy" }));
      figure.appendChild(link);
    }
    var caption = el("figcaption", {});
    caption.appendChild(el("a", { href: url, title: f.rel }, f.rel));
    caption.appendChild(el("span", {}, size(f.size) + " \\u00b7 " + new Date(f.mtime).toLocaleString()));
    figure.appendChild(caption);
    return figure;
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
    shown.forEach(function (f) { grid.appendChild(card(location, f)); });
    section.appendChild(grid);
    return { videos: videos, images: shown.length - videos };
  }

  async function main() {
    var root = document.getElementById("sections");
    var totals = { videos: 0, images: 0 };
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
