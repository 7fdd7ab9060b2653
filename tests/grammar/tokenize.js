// tokenize.js GRAMMAR FILE... — tokenizes each .rules file with the VS Code
// grammar through vscode-textmate and vscode-oniguruma (the engine VS Code
// runs), and fails when
//   - a character outside white space has no scope but the file's
//     (source.vigil): no line is left unmatched where a token is expected;
//   - a token is invalid.illegal (the packs are valid, so the grammar is wrong);
//   - a line's tokens do not cover it, in order;
// then asserts the scopes of samples: keywords, strings with {…}
// interpolation and formats, durations, percents, dates, comments, numbers,
// tiers, declarations.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const [grammarPath, ...files] = process.argv.slice(2);
if (!grammarPath || files.length === 0) {
  console.error('usage: tokenize.js GRAMMAR FILE...');
  process.exit(2);
}
const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
const registry = new vsctm.Registry({
  onigLib: oniguruma.loadWASM(wasm).then(() => ({
    createOnigScanner: (p) => new oniguruma.OnigScanner(p),
    createOnigString: (s) => new oniguruma.OnigString(s),
  })),
  loadGrammar: async (scope) =>
    scope === 'source.vigil' ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
});

let failures = 0;
function fail(msg) {
  failures++;
  if (failures <= 40) console.error('grammar test: FAIL: ' + msg);
}

// [{text, scopes}] of each line of text
function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return { line, tokens: r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, end: t.endIndex, scopes: t.scopes })) };
  });
}

// The scopes of the first token of line that is exactly `text` (after `after` chars).
function scopesOf(lines, lineText, text) {
  for (const l of lines) {
    if (!l.line.includes(lineText)) continue;
    const from = l.line.indexOf(lineText);
    for (const t of l.tokens) if (t.start >= from && t.text.trim() === text) return t.scopes;
  }
  return null;
}

function expectScope(lines, where, lineText, text, scope) {
  const s = scopesOf(lines, lineText, text);
  if (!s) fail(`${where}: no token '${text}' in a line with '${lineText}'`);
  else if (!s.some((x) => x === scope || x.startsWith(scope + '.'))) fail(`${where}: '${text}' in '${lineText}' is ${s.join(' ')}, not ${scope}`);
}

registry.loadGrammar('source.vigil').then((grammar) => {
  let nlines = 0, ntokens = 0;
  for (const f of files) {
    const lines = tokenize(grammar, fs.readFileSync(f, 'utf8'));
    lines.forEach((l, i) => {
      nlines++;
      let at = 0;
      for (const t of l.tokens) {
        ntokens++;
        if (t.start !== at) fail(`${f}:${i + 1}: the tokens skip columns ${at + 1}..${t.start}`);
        at = t.end;
        if (t.text.trim() === '') continue;
        if (t.scopes.length < 2) fail(`${f}:${i + 1}:${t.start + 1}: '${t.text}' has no scope (unmatched)`);
        const bad = t.scopes.find((s) => s.startsWith('invalid'));
        if (bad) fail(`${f}:${i + 1}:${t.start + 1}: '${t.text}' is ${bad}`);
      }
      if (l.line.length && at < l.line.length) fail(`${f}:${i + 1}: the tokens end at column ${at}, the line at ${l.line.length}`);
    });
  }

  // The scopes of samples: a file of every kind of token, and a shipped pack.
  const sample = [
    '# a comment',
    'pack demo "Demo pack"',
    'tiers yellow, orange, red',
    'param slump = 20%',
    'param grace = 5 days',
    'param since = 2025-01-01',
    'def half(x) = x / 2',
    'source snap {',
    '  table sales_snapshot',
    '  key   rep_id',
    '  time  snapshot_date',
    '  every 2 weeks',
    '  where active = 1 and note is not null',
    '}',
    'route red up 1',
    'rule slump_rule on snap {',
    '  let floor = baseline * (1 - slump)',
    '  orange when conversion_rate < floor for 2 snapshots',
    '  red when avg(x, last 3 snapshots) < 0.5 # trailing',
    '  clear when stale',
    '  message "rep {rep_id}: {conversion_rate:pct} below {floor:2}, {{literal}} {coalesce(n, \\"none\\")} \\"q\\""',
    '  notify `supervisor id`',
    '}',
    'test "a test" {',
    '  as_of 2025-03-14',
    '  expect orange slump_rule 1',
    '  expect no alert slump_rule 2',
    '}',
  ].join('\n');
  const L = tokenize(grammar, sample);
  const S = 'sample';
  expectScope(L, S, '# a comment', '# a comment', 'comment.line.number-sign.vigil');
  expectScope(L, S, '# trailing', '# trailing', 'comment.line.number-sign.vigil');
  expectScope(L, S, 'pack demo', 'pack', 'keyword.declaration.pack.vigil');
  expectScope(L, S, 'pack demo', 'demo', 'entity.name.namespace.vigil');
  expectScope(L, S, 'pack demo', 'Demo pack', 'string.quoted.double.vigil');
  expectScope(L, S, 'tiers yellow', 'tiers', 'keyword.declaration.tiers.vigil');
  for (const t of ['yellow', 'orange', 'red']) expectScope(L, S, 'tiers yellow', t, 'constant.other.tier.vigil');
  expectScope(L, S, 'orange when', 'orange', 'constant.other.tier.vigil');
  expectScope(L, S, 'orange when', 'when', 'keyword.control.when.vigil');
  expectScope(L, S, 'red when avg', 'red', 'constant.other.tier.vigil');
  expectScope(L, S, 'route red', 'red', 'constant.other.tier.vigil');
  expectScope(L, S, 'route red', 'up', 'keyword.other.up.vigil');
  expectScope(L, S, 'expect orange', 'orange', 'constant.other.tier.vigil');
  expectScope(L, S, 'param slump', '20%', 'constant.numeric.percent.vigil');
  expectScope(L, S, 'param slump', 'slump', 'variable.other.constant.param.vigil');
  expectScope(L, S, 'param grace', '5 days', 'constant.numeric.duration.vigil');
  expectScope(L, S, 'every 2 weeks', '2 weeks', 'constant.numeric.duration.vigil');
  expectScope(L, S, 'param since', '2025-01-01', 'constant.numeric.date.vigil');
  expectScope(L, S, 'as_of 2025-03-14', '2025-03-14', 'constant.numeric.date.vigil');
  expectScope(L, S, 'for 2 snapshots', '2', 'constant.numeric.vigil');
  expectScope(L, S, '< 0.5', '0.5', 'constant.numeric.vigil');
  expectScope(L, S, 'def half', 'half', 'entity.name.function.vigil');
  expectScope(L, S, 'source snap', 'source', 'keyword.declaration.source.vigil');
  expectScope(L, S, 'source snap', 'snap', 'entity.name.type.source.vigil');
  expectScope(L, S, 'table sales_snapshot', 'table', 'keyword.other.field.vigil');
  expectScope(L, S, 'every 2 weeks', 'every', 'keyword.other.field.vigil');
  expectScope(L, S, 'where active', 'and', 'keyword.operator.logical.vigil');
  expectScope(L, S, 'where active', 'null', 'constant.language.vigil');
  expectScope(L, S, 'rule slump_rule', 'rule', 'keyword.declaration.rule.vigil');
  expectScope(L, S, 'rule slump_rule', 'slump_rule', 'entity.name.function.rule.vigil');
  expectScope(L, S, 'rule slump_rule', 'on', 'keyword.other.on.vigil');
  expectScope(L, S, 'let floor', 'let', 'keyword.other.let.vigil');
  expectScope(L, S, 'let floor', 'floor', 'variable.other.let.vigil');
  expectScope(L, S, 'orange when', 'for', 'keyword.control.vigil');
  expectScope(L, S, 'orange when', 'snapshots', 'keyword.control.vigil');
  expectScope(L, S, 'red when avg', 'avg', 'support.function.vigil');
  expectScope(L, S, 'red when avg', 'last', 'keyword.control.vigil');
  expectScope(L, S, 'clear when', 'clear', 'keyword.control.clear.vigil');
  expectScope(L, S, 'clear when', 'stale', 'variable.language.vigil');
  expectScope(L, S, 'message "rep', 'message', 'keyword.other.vigil');
  expectScope(L, S, 'message "rep', 'rep', 'string.quoted.double.vigil');
  expectScope(L, S, 'message "rep', 'rep_id', 'meta.interpolation.vigil');
  expectScope(L, S, 'message "rep', 'rep_id', 'variable.other.vigil');
  expectScope(L, S, 'message "rep', '{', 'punctuation.section.interpolation.begin.vigil');
  expectScope(L, S, 'message "rep', ':pct', 'storage.modifier.format.vigil');
  expectScope(L, S, 'message "rep', ':2', 'storage.modifier.format.vigil');
  expectScope(L, S, 'message "rep', '{{', 'constant.character.escape.brace.vigil');
  expectScope(L, S, 'message "rep', 'coalesce', 'support.function.vigil');
  expectScope(L, S, 'message "rep', '\\"none\\"', 'string.quoted.double.inner.vigil');
  expectScope(L, S, 'message "rep', '\\"', 'constant.character.escape.vigil');
  expectScope(L, S, 'notify `', 'notify', 'keyword.other.vigil');
  expectScope(L, S, 'notify `', '`supervisor id`', 'variable.other.backquoted.vigil');
  expectScope(L, S, 'test "a test"', 'test', 'keyword.declaration.test.vigil');
  expectScope(L, S, 'expect no alert', 'alert', 'keyword.other.expect.vigil');
  // a string's interpolation ends with the string; the next line is code again
  const after = tokenize(grammar, 'message "{x"\nrule r on s {');
  expectScope(after, 'unclosed', 'rule r', 'rule', 'keyword.declaration.rule.vigil');
  // and an error shows as one
  expectScope(tokenize(grammar, "yellow when x = 'won'"), 'sql quote', 'yellow', "'won'", 'invalid.illegal.single-quote.vigil');

  if (failures) {
    console.error(`grammar test: ${failures} failure(s)` + (failures > 40 ? ' (first 40 shown)' : ''));
    process.exit(1);
  }
  console.log(`grammar test: ok (${files.length} files, ${nlines} lines, ${ntokens} tokens; sample scopes asserted)`);
}).catch((e) => { console.error('grammar test: FAIL: ' + (e && e.stack || e)); process.exit(1); });
