-- Evaluate cluster/packaging/tessera.lua against stubs of Lmod's modulefile functions (no
-- Lmod needed) and check what it would do to the environment for an install PREFIX.
--   lua5.4 check_modulefile.lua MODULEFILE PREFIX
-- PREFIX must hold bin/ and lib/pkgconfig/ but no lib64/. Exit 0 when every check holds.
local file, prefix = arg[1], arg[2]
local text = assert(io.open(file)):read("a")
-- Point the template at PREFIX by editing the line users edit (the one marked CHANGE).
local edited, n = text:gsub('local root = [^\n]*', 'local root = "' .. prefix .. '"')
assert(n == 1, "expected exactly one 'local root = ...' line, found " .. n)

local env, calls, failures = {}, {}, 0
local function record(name) return function(...) calls[#calls + 1] = {name, ...} end end
for _, f in ipairs({"prepend_path", "append_path", "setenv", "whatis", "help", "family",
                    "depends_on", "load", "conflict", "prereq"}) do env[f] = record(f) end
env.pathJoin = function(...) return (table.concat({...}, "/"):gsub("//+", "/")) end
env.isDir = function(p)
  local ok = os.execute('test -d "' .. p .. '"')
  return ok == true or ok == 0
end
env.ipairs, env.pairs, env.tostring, env.string = ipairs, pairs, tostring, string
local chunk, err = load(edited, "@" .. file, "t", env)
if not chunk then error("syntax: " .. err) end
chunk()

local function has(name, a, b)
  for _, c in ipairs(calls) do
    if c[1] == name and c[2] == a and (b == nil or c[3] == b) then return true end
  end
  return false
end
local function check(ok, what)
  print((ok and "ok   " or "FAIL ") .. what)
  if not ok then failures = failures + 1 end
end
check(has("prepend_path", "PATH", prefix .. "/bin"), "PATH gets PREFIX/bin")
check(has("prepend_path", "CMAKE_PREFIX_PATH", prefix), "CMAKE_PREFIX_PATH gets PREFIX")
check(has("prepend_path", "LD_LIBRARY_PATH", prefix .. "/lib"), "LD_LIBRARY_PATH gets PREFIX/lib")
check(has("prepend_path", "PKG_CONFIG_PATH", prefix .. "/lib/pkgconfig"),
      "PKG_CONFIG_PATH gets PREFIX/lib/pkgconfig")
check(not has("prepend_path", "LD_LIBRARY_PATH", prefix .. "/lib64"), "no missing lib64 added")
check(has("setenv", "TESSERA_ROOT", prefix), "TESSERA_ROOT is PREFIX")
check(has("family", "tessera"), "family tessera (one Tessera at a time)")
check(has("whatis", "Name: Tessera"), "whatis names Tessera")
local helped = false
for _, c in ipairs(calls) do if c[1] == "help" and #c[2] > 40 then helped = true end end
check(helped, "help text given")
os.exit(failures == 0 and 0 or 1)
