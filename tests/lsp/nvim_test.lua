-- nvim_test.lua — the Neovim scenario of tests/lsp/nvim.sh, run in the
-- buffer of the pack's 10-rules.rules with tests/lsp/nvim.lua's client:
-- the diagnostic of the planted typo, its did-you-mean quick fix, completion
-- of a column name, formatting; then the buffer is written to $NVIM_OUT.
local buf = vim.api.nvim_get_current_buf()

local function fail(msg)
  io.stderr:write('nvim_test.lua: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function wait(what, cond)
  if not vim.wait(15000, cond, 20) then fail('timed out waiting for ' .. what) end
end

local function client()
  for _, c in pairs(vim.lsp.buf_get_clients(buf)) do return c end
end

wait('the client to start', function() local c = client(); return c and c.initialized end)
if vim.bo[buf].filetype ~= 'vigil' then fail('filetype: ' .. vim.bo[buf].filetype) end

-- 1. the planted typo: "amout"
wait('diagnostics', function() return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) > 0 end)
local d = vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })[1]
if d.code ~= 'E-unknown-column' then fail('the diagnostic: ' .. vim.inspect(d)) end
local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, true)[1]
if line:sub(d.col + 1, d.end_col) ~= 'amout' then fail('the span: ' .. vim.inspect(d) .. ' on ' .. line) end

-- 2. the quick fix, applied as the client applies a code action's edit
vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(buf, d.lnum) }
local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
local fixed = false
for _, r in pairs(res) do
  for _, action in ipairs(r.result or {}) do
    if action.title == "Change to 'amount'" and not fixed then
      vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
      fixed = true
    end
  end
end
if not fixed then fail('no quick fix: ' .. vim.inspect(res)) end
wait('the diagnostics to clear', function() return #vim.diagnostic.get(buf) == 0 end)

-- 3. completion of a column name: "sta" at the end of the red clause
local red
for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, true)) do
  if l:find('red%s+when') then red = i end
end
if not red then fail('no red clause') end
local text = vim.api.nvim_buf_get_lines(buf, red - 1, red, true)[1] .. ' and sta'
vim.api.nvim_buf_set_lines(buf, red - 1, red, true, { text })
vim.api.nvim_win_set_cursor(0, { red, #text })
local cres = vim.lsp.buf_request_sync(buf, 'textDocument/completion', vim.lsp.util.make_position_params(), 10000) or {}
local items = {}
for _, r in pairs(cres) do
  if r.result then items = vim.lsp.util.text_document_completion_list_to_complete_items(r.result, 'sta') end
end
-- the first of the list the client shows: the column (columns rank before functions and keywords)
if #items < 1 or items[1].word ~= 'stage' or items[1].kind ~= 'Field' then fail('completion of "sta": ' .. vim.inspect(items)) end
vim.api.nvim_buf_set_lines(buf, red - 1, red, true, { text:sub(1, -4) .. items[1].word .. ' = "lost"' })
wait('a clean pack after the completion', function() return #vim.diagnostic.get(buf) == 0 end)

-- 4. formatting, as vigil fmt
vim.lsp.buf.formatting_sync(nil, 10000)

vim.cmd('write! ' .. vim.fn.fnameescape(os.getenv('NVIM_OUT')))
vim.cmd('qall!')
