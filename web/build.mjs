// Builds the page into dist/: app.js (TypeScript and CodeMirror, minified), app.css,
// index.html and favicon.svg. The output depends only on the sources and the locked
// packages, so CI rebuilds it and checks it is byte-identical to the committed dist/.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
const common = { bundle: true, minify: true, legalComments: "eof", logLevel: "warning", charset: "utf8" };
await build({ ...common, entryPoints: ["src/main.ts"], outfile: "dist/app.js", format: "iife", target: "es2020" });
await build({ ...common, entryPoints: ["src/style.css"], outfile: "dist/app.css" });
copyFileSync("index.html", "dist/index.html");
copyFileSync("favicon.svg", "dist/favicon.svg");
