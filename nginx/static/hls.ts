// The hls.js build beside this file (hls.min.js, a copy of node_modules/hls.js/dist/hls.min.js
// that nginx/Dockerfile puts into the image). Renderers read no files, so its hash lives here;
// test/unit/nginxStatic.test.ts fails until the copy and these values match the installed package.
export const HLS_JS_VERSION = "1.7.4";
export const HLS_JS_SHA256 = "cfc70cc9e9fc63d071919e087670abc760c8fd1bc889b88588026e4d22193bbe";
