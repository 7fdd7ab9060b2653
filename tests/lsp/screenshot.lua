-- screenshot.lua — the Neovim scene of tests/lsp/screenshot.sh, run in a
-- real (headful) Neovim with tests/lsp/nvim.lua's client, on a copy of the
-- saas pack's 10-reps.rules with a planted typo: once the error diagnostic
-- is shown, open a line, type "co" and ask the LSP omnifunc for
-- completions (<C-x><C-o>).  It writes two marker files into $SHOT_DIR for
-- the script: "diagnostic" (the message, when the error has arrived) and
-- "completion" (the words of the menu, when it is on the screen).
local dir = assert(os.getenv('SHOT_DIR'), 'SHOT_DIR is not set')
local buf = vim.api.nvim_get_current_buf()

local function mark(name, text)
  local f = assert(io.open(dir .. '/' .. name, 'w'))
  f:write(text, '\n')
  f:close()
end

vim.o.completeopt = 'menuone,noinsert'
vim.o.pumheight = 8
-- shown while typing too: by default Neovim 0.7 hides them in Insert mode
vim.diagnostic.config({ virtual_text = true, signs = true, underline = true, update_in_insert = true,
  severity_sort = true }) -- a line's sign and text: its error before its did-you-mean note
vim.wo.wrap = false
vim.wo.signcolumn = 'yes'

-- the menu is on the screen: name its words (CompleteChanged fires as it is shown)
vim.api.nvim_create_autocmd('CompleteChanged', { callback = function()
  local words = {}
  for _, it in ipairs(vim.fn.complete_info({ 'items' }).items) do table.insert(words, it.word) end
  vim.defer_fn(function()
    if vim.fn.pumvisible() == 1 then mark('completion', table.concat(words, ' ')) end
  end, 300)
end })

local timer = vim.loop.new_timer()
timer:start(200, 100, vim.schedule_wrap(function()
  local errs = vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
  if #errs == 0 or vim.fn.mode() ~= 'n' then return end
  timer:stop()
  mark('diagnostic', string.format('%d:%d: %s [%s]', errs[1].lnum + 1, errs[1].col + 1, errs[1].message, errs[1].code or ''))
  -- the line of the typo, then a new line under it with "co" and the omnifunc
  vim.api.nvim_win_set_cursor(0, { errs[1].lnum + 1, 0 })
  vim.cmd('normal! zt')
  vim.cmd('normal! 3\25') -- three lines of the rule above it stay in view (CTRL-Y)
  local keys = vim.api.nvim_replace_termcodes('olet rate = co<C-x><C-o>', true, false, true)
  vim.api.nvim_feedkeys(keys, 'n', false)
end))
