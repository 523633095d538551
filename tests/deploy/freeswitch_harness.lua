--[[
Runs deploy/freeswitch-callwarden.lua outside FreeSWITCH, for tests/deploy/test_freeswitch_lua.py.

The `freeswitch` and `session` globals are stand-ins that record what the script does; mod_curl's
`curl` API is reproduced (arguments split on spaces with '...' quoting, URL-decoded post data)
and sent for real with the curl program, to a callwarden on loopback. Everything the script did is
printed as `key<TAB>value` lines.

  CW_URL, CW_KEY, CW_TIMEOUT: the globals callwarden_url, callwarden_dialer_key, callwarden_timeout
  CW_VARS: channel variables, "name=value" separated by "|"
  CW_ARGV: the script's argv, separated by "|"
]]

local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then return default end
	return v
end

local function emit(key, value)
	io.write(key, "\t", tostring(value):gsub("\n", "\\n"), "\n")
end

local function split(text, sep)
	local out = {}
	for part in (text .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
		if part ~= "" then out[#out + 1] = part end
	end
	return out
end

local function shell_quote(s)
	return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function urldecode(s)
	return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- mod_curl's tokenizer: words separated by spaces, '...' groups a phrase.
local function words(args)
	local out, i = {}, 1
	while i <= #args do
		local c = args:sub(i, i)
		if c == " " then
			i = i + 1
		elseif c == "'" then
			local j = args:find("'", i + 1, true) or (#args + 1)
			out[#out + 1] = args:sub(i + 1, j - 1)
			i = j + 1
		else
			local j = args:find(" ", i, true) or (#args + 1)
			out[#out + 1] = args:sub(i, j - 1)
			i = j
		end
	end
	return out
end

local function curl_api(args)
	emit("curl_args", args)
	local w = words(args)
	local url, timeout, headers, ctype, body = w[1], nil, {}, nil, nil
	local k = 2
	while k <= #w do
		local word = w[k]
		if word == "timeout" then timeout = w[k + 1]; k = k + 2
		elseif word == "append_headers" then headers[#headers + 1] = w[k + 1]; k = k + 2
		elseif word == "content-type" then ctype = w[k + 1]; k = k + 2
		elseif word == "post" then body = urldecode(w[k + 1] or ""); k = k + 2
		else k = k + 1 end
	end
	if #w > 10 then error("mod_curl reads at most 10 words, got " .. #w) end
	local cmd = "curl -s -X POST"
	if timeout then cmd = cmd .. " -m " .. timeout end
	for _, h in ipairs(headers) do cmd = cmd .. " -H " .. shell_quote(h) end
	if ctype then cmd = cmd .. " -H " .. shell_quote("Content-Type: " .. ctype) end
	local tmp = os.tmpname()
	local f = assert(io.open(tmp, "wb"))
	f:write(body or "")
	f:close()
	cmd = cmd .. " --data-binary @" .. tmp .. " " .. shell_quote(url)
	local p = assert(io.popen(cmd, "r"))
	local answer = p:read("*a")
	p:close()
	os.remove(tmp)
	emit("curl_body", body or "")
	emit("curl_answer", answer)
	return answer
end

local globals = {
	callwarden_url = env("CW_URL", ""),
	callwarden_dialer_key = env("CW_KEY", ""),
	callwarden_timeout = env("CW_TIMEOUT", "1"),
	callwarden_spool_dir = "/var/spool/callwarden",
}

freeswitch = {
	consoleLog = function(level, msg) emit("log", level .. ": " .. msg) end,
	getGlobalVariable = function(name) return globals[name] end,
	API = function()
		return {
			execute = function(_, cmd, args)
				if cmd ~= "curl" then error("unexpected API " .. cmd) end
				return curl_api(args)
			end,
		}
	end,
}

local vars = {}
for _, pair in ipairs(split(env("CW_VARS", ""), "|")) do
	local k, v = pair:match("^([^=]+)=(.*)$")
	if k then vars[k] = v end
end

argv = split(env("CW_ARGV", ""), "|")
if #argv == 0 then argv = nil end

if not (argv and argv[1] == "outcome") then
	session = {
		ready = function() return true end,
		get_uuid = function() return "uuid-1" end,
		getVariable = function(_, name) return vars[name] end,
		setVariable = function(_, name, value)
			vars[name] = value
			emit("set", name .. "=" .. tostring(value))
		end,
		execute = function(_, app, data)
			if app == "unset" then vars[data] = nil end
			emit("execute", app .. " " .. tostring(data))
		end,
		hangup = function(_, cause) emit("hangup", cause) end,
	}
end

dofile(env("CW_SCRIPT", "deploy/freeswitch-callwarden.lua"))
emit("done", "1")
