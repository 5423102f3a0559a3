// Checks what `npx @vscode/vsce package --allow-missing-repository` needs to package the
// folder without a question or a warning about the manifest: a LICENSE file, and a
// .vscodeignore that keeps the tests and the lock file out of the .vsix. The manifest
// names no repository (the project has none in public yet; an address that cannot be
// checked would be a guess), which the flag, documented in the README, accepts.
// Run with `npm test`.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const here = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));

test("the manifest names its publisher, licence and engine, and no guessed repository", () => {
  assert.equal(manifest.repository, undefined);
  assert.equal(manifest.publisher, "nshed");
  assert.equal(manifest.license, "MIT OR Apache-2.0");
  assert.ok(manifest.engines.vscode);
});

test("the README packages with the flag a manifest without a repository needs", () => {
  const readme = fs.readFileSync(path.join(here, "README.md"), "utf8");
  assert.match(readme, /npx @vscode\/vsce package --allow-missing-repository/);
});

test("both licences are in the folder", () => {
  const license = fs.readFileSync(path.join(here, "LICENSE"), "utf8");
  assert.match(license, /MIT License/);
  assert.match(license, /Apache License, Version 2\.0/);
  const apache = fs.readFileSync(path.join(here, "LICENSE-APACHE"), "utf8");
  assert.match(apache, /Apache License/);
});

test(".vscodeignore keeps the tests and packaging leftovers out", () => {
  const ignored = fs
    .readFileSync(path.join(here, ".vscodeignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  for (const pattern of ["test/**", "package-lock.json", "*.vsix"]) {
    assert.ok(ignored.includes(pattern), `${pattern} is not ignored`);
  }
  // Nothing the extension runs is ignored.
  for (const file of [manifest.main, "syntaxes/nshed.tmLanguage.json", "language-configuration.json"]) {
    assert.ok(fs.existsSync(path.join(here, file)), file);
    assert.ok(!ignored.some((p) => p === file || file.startsWith(p.replace("/**", "/"))), file);
  }
});
