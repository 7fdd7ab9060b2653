// The Vigil extension: the grammar and language configuration are
// declared in package.json; this starts the language client on
// `vigil lsp` (stdio) for .rules files.  `vigil.path` and `vigil.lspArgs`
// (settings) say which vigil and with what arguments.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('vigil');
  const command = config.get('path', 'vigil');
  const args = ['lsp', ...config.get('lspArgs', [])];
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient('vigil', 'Vigil language server', { run: server, debug: server }, {
    documentSelector: [{ scheme: 'file', language: 'vigil' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.rules,schema.sql}') },
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
