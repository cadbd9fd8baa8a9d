import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import preact from "@preact/preset-vite";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/** Writes the built files' names and a version into dist/sw.js, so the service worker caches the
 * whole shell at install and a new build replaces the old cache. */
function precache(): Plugin {
  let outDir = "dist";
  return {
    name: "soko-precache",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => name.startsWith("assets/"))
        .sort()
        .map((name) => `/${name}`);
      const version = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
      const path = join(outDir, "sw.js");
      const header = `self.SOKO_PRECACHE = ${JSON.stringify(files)};\nself.SOKO_VERSION = "${version}";\n`;
      writeFileSync(path, header + readFileSync(path, "utf8"));
    },
  };
}

// The build is what the budget test measures: web/dist with .vite/manifest.json, so a test can
// follow each page's chunk and its static imports (tests/browser/test_web_budget.py).
export default defineConfig({
  plugins: [preact({ devtoolsInProd: false, prefreshEnabled: false }), precache()],
  build: {
    target: "es2020",
    manifest: true,
    sourcemap: false,
    cssCodeSplit: true,
    assetsInlineLimit: 0, // no data: URLs: the CSP allows images from 'self' and the media bucket
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
  },
});
