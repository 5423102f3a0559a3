// Tokenises every example and test model with the TextMate grammar, as VS Code does
// (vscode-textmate + vscode-oniguruma), and checks the scopes of keywords, names, numbers
// and comments. Run with `npm test` in editors/vscode (after `npm ci`).

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..", "..", "..");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.nshed") return null;
      const file = path.join(__dirname, "..", "syntaxes", "nshed.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  return registry.loadGrammar("source.nshed");
}

/** Every token of `text`: { line, text, scopes } (whitespace-only tokens left out). */
function tokenize(grammar, text) {
  const out = [];
  let stack = vsctm.INITIAL;
  text.split("\n").forEach((line, n) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const s = line.slice(t.startIndex, t.endIndex);
      if (s.trim() !== "") out.push({ line: n, text: s, scopes: t.scopes });
    }
    stack = result.ruleStack;
  });
  return out;
}

function nshedFiles() {
  const files = [];
  for (const dir of ["examples", path.join("tests", "models")]) {
    for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
      if (name.endsWith(".nshed")) files.push(path.join(root, dir, name));
    }
  }
  return files;
}

// The reserved words of the language (docs/language.md).
const RESERVED = new Set(
  ("model level classes init rules data train phase grow shrink jitter lambda eta any all " +
    "atleast of mul add sub keep noise flip weight seed sampler steps batch freeze record " +
    "every eta_update union sample replace shuffle cycle uniform normal lognormal").split(" ")
);

// Words that are keywords only where they stand: `expect [initial]`, the words of
// expectations and `none` (inside expect blocks), and the suffix of an error-driven update (one
// token, `by error`).
const CONTEXTUAL = new Set(["expect", "initial", "by error", "test", "from", "copies"]);
const EXPECT_WORDS = new Set(
  "predict pathway is has lacks within le p logit accuracy loss test lambda eta ln".split(" ")
);

const has = (token, prefix) => token.scopes.some((s) => s.startsWith(prefix));

test("every example tokenises with the expected kinds of scope", async () => {
  const grammar = await loadGrammar();
  const files = nshedFiles();
  assert.ok(files.length >= 10, `only ${files.length} files`);
  let counts = { comment: 0, keyword: 0, number: 0, name: 0 };
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const token of tokenize(grammar, text)) {
      const where = `${path.basename(file)}:${token.line + 1} \`${token.text}\` ${token.scopes.join(" ")}`;
      assert.equal(token.scopes[0], "source.nshed", where);
      // Nothing is left unrecognised.
      assert.ok(token.scopes.length >= 2, `no scope: ${where}`);
      if (token.text.startsWith("//")) {
        assert.ok(has(token, "comment.line.double-slash.nshed"), where);
        counts.comment++;
      } else if (has(token, "comment")) {
        assert.fail(`code inside a comment scope: ${where}`);
      } else if (
        CONTEXTUAL.has(token.text.replace(/\s+/g, " ")) ||
        (EXPECT_WORDS.has(token.text) && has(token, "keyword.other.expect.nshed")) ||
        (token.text === "none" && has(token, "constant.language.nshed"))
      ) {
        assert.ok(has(token, "keyword.") || has(token, "constant.language.nshed"), where);
        counts.keyword++;
      } else if (RESERVED.has(token.text)) {
        assert.ok(
          has(token, "keyword.") || has(token, "constant.language.nshed") || has(token, "support.function.distribution.nshed"),
          where
        );
        counts.keyword++;
      } else if (/^[0-9]/.test(token.text)) {
        assert.ok(has(token, "constant.numeric.nshed"), where);
        counts.number++;
      } else if (/^[A-Za-z_]/.test(token.text)) {
        assert.ok(has(token, "entity.name.") || has(token, "variable.other.nshed"), where);
        counts.name++;
      }
    }
  }
  for (const [kind, n] of Object.entries(counts)) assert.ok(n > 20, `only ${n} ${kind} tokens`);
});

test("names are scoped by what they declare", async () => {
  const grammar = await loadGrammar();
  const text = fs.readFileSync(path.join(root, "examples", "fig1.nshed"), "utf8");
  const tokens = tokenize(grammar, text);
  const scopeOf = (word, nth = 0) => {
    const found = tokens.filter((t) => t.text === word)[nth];
    assert.ok(found, `\`${word}\` #${nth} not found`);
    return found.scopes[found.scopes.length - 1];
  };
  assert.equal(scopeOf("fig1"), "entity.name.type.model.nshed");
  assert.equal(scopeOf("parts"), "entity.name.namespace.level.nshed");
  assert.equal(scopeOf("m1"), "entity.name.function.node.nshed");
  assert.equal(scopeOf("e1", 1), "variable.other.nshed"); // a child in `any(e1, ...)`
  assert.equal(scopeOf("c2", 0), "entity.name.type.class.nshed");
  assert.equal(scopeOf("c1a"), "entity.name.label.sample.nshed");
  assert.equal(scopeOf("main"), "entity.name.section.phase.nshed");
  assert.equal(scopeOf("model"), "keyword.control.block.nshed");
  assert.equal(scopeOf("atleast"), "keyword.other.nshed");
  assert.equal(scopeOf("union"), "constant.language.nshed");
  assert.equal(scopeOf("1.022"), "constant.numeric.nshed");
  assert.equal(scopeOf("<-"), "keyword.operator.arrow.nshed");
});

test("error-driven rules and expect blocks", async () => {
  const grammar = await loadGrammar();
  const text = [
    "rules { grow = mul 1.5 by error }",
    "expect initial {",
    "  predict c2 is c2   // a comment",
    "  p c2 c2 >= 0.98",
    "  le c1a c2 = 1.78 within 1e-5",
    "}",
    "data { p: e1 -> c1 }",
  ].join("\n");
  const tokens = tokenize(grammar, text);
  const last = (t) => t.scopes[t.scopes.length - 1];
  const find = (word, line) => tokens.find((t) => t.text.trim() === word && t.line === line);
  assert.equal(last(find("by error", 0)), "keyword.other.nshed");
  assert.equal(last(find("expect", 1)), "keyword.control.block.nshed");
  assert.equal(last(find("initial", 1)), "keyword.other.nshed");
  assert.equal(last(find("predict", 2)), "keyword.other.expect.nshed");
  assert.equal(last(find("is", 2)), "keyword.other.expect.nshed");
  assert.equal(last(find("// a comment", 2)), "comment.line.double-slash.nshed");
  assert.equal(last(find("p", 3)), "keyword.other.expect.nshed");
  assert.equal(last(find(">=", 3)), "keyword.operator.comparison.nshed");
  assert.equal(last(find("1e-5", 4)), "constant.numeric.nshed");
  // Outside expect blocks `p` is an ordinary name.
  assert.equal(last(find("p", 6)), "entity.name.label.sample.nshed");
});
