// The nshed extension: starts `nshed lsp` (the language server built into the nshed
// binary) for .nshed files. Plain JavaScript: nothing to compile, `npm install` fetches
// the language client.

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("nshed").get("path") || "nshed";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "nshed",
    "nshed language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "nshed" }, { scheme: "untitled", language: "nshed" }] }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `nshed: cannot start \`${command} lsp\` (${error.message}). Install nshed or set "nshed.path".`
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
