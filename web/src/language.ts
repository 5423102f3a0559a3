// nshed highlighting for the editor: a tokenizer over the language's words (the list the
// server sends, the library's table of reserved words), numbers, arrows and comments.

import { StreamLanguage, StringStream } from "@codemirror/language";

interface St { afterLevel: boolean }

export function nshedLanguage(words: string[]) {
  const keywords = new Set(words);
  const blocks = new Set(["model", "level", "classes", "init", "rules", "data", "train", "phase",
    "expect", "record", "test"]);
  return StreamLanguage.define<St>({
    name: "nshed",
    startState: () => ({ afterLevel: false }),
    token(stream: StringStream, state: St): string | null {
      if (stream.eatSpace()) return null;
      if (stream.match("//")) { stream.skipToEnd(); return "comment"; }
      if (stream.match(/^\d+(\.\d+)?([eE][+-]?\d+)?/)) return "number";
      if (stream.match("<-") || stream.match("->")) return "operator";
      if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
        const word = stream.current();
        const wasLevel = state.afterLevel;
        state.afterLevel = word === "level" || word === "phase" || word === "model";
        if (wasLevel) return "variableName.definition";
        if (blocks.has(word)) return "keyword strong";
        return keywords.has(word) ? "keyword" : "variableName";
      }
      if (stream.match(/^"[^"]*"?/)) return "string";
      stream.next();
      return /[{}()]/.test(stream.current()) ? "bracket" : "operator";
    },
    languageData: { commentTokens: { line: "//" } },
  });
}
