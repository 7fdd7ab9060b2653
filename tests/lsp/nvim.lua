-- nvim.lua — Neovim (0.7 or later) with its built-in LSP client on `vigil lsp`.
--
-- Put it in your init.lua (or load it: nvim -u tests/lsp/nvim.lua FILE.rules).
-- .rules files get the filetype "vigil"; each buffer of one is attached to
-- one `vigil lsp` per pack folder.  VIGIL names the binary (default: vigil
-- on the PATH); VIGIL_LSP_ARGS adds options (e.g. "--db sales.db").
-- tests/lsp/nvim.sh uses this file as it is.
vim.cmd([[autocmd BufRead,BufNewFile *.rules setfiletype vigil]])

local clients = {} -- pack folder -> client id

local function attach(args)
  local buf = args.buf
  local folder = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':p:h')
  if not clients[folder] then
    local cmd = { os.getenv('VIGIL') or 'vigil', 'lsp' }
    for a in string.gmatch(os.getenv('VIGIL_LSP_ARGS') or '', '%S+') do table.insert(cmd, a) end
    clients[folder] = vim.lsp.start_client({ name = 'vigil', cmd = cmd, root_dir = folder })
  end
  vim.lsp.buf_attach_client(buf, clients[folder])
  vim.bo[buf].omnifunc = 'v:lua.vim.lsp.omnifunc' -- <C-x><C-o> completes
end

vim.api.nvim_create_autocmd('FileType', { pattern = 'vigil', callback = attach })
