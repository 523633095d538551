--[[
callwarden for FreeSWITCH: ask POST /v1/authorize before an outbound call is bridged, FAIL CLOSED,
record allowed calls as <attempt_id>.wav into the callwarden spool folder, report the outcome.

Install: copy to the FreeSWITCH scripts directory ($${script_dir}, e.g. /usr/share/freeswitch/scripts),
load mod_curl and mod_lua (autoload_configs/modules.conf.xml), and set in vars.xml:

  <X-PRE-PROCESS cmd="set" data="callwarden_url=http://127.0.0.1:8080"/>
  <X-PRE-PROCESS cmd="set" data="callwarden_dialer_key=REPLACE_WITH_DIALER_KEY"/>
  <X-PRE-PROCESS cmd="set" data="callwarden_timeout=1"/>
  <X-PRE-PROCESS cmd="set" data="callwarden_spool_dir=/var/spool/callwarden"/>

(vars.xml then holds a dialer key: chmod 0640, owner root:freeswitch.) See deploy/freeswitch-dialplan.xml
for the dialplan and docs/integrations.md for the API.

Called two ways:
  * as a dialplan application on the outbound channel:  <action application="lua" data="freeswitch-callwarden.lua"/>
    Reads callwarden_case_id (or the SIP header X-Callwarden-Case-Id), callwarden_party,
    callwarden_contact_id and destination_number. Sets callwarden_allowed=true|false,
    callwarden_attempt_id, callwarden_reason. Anything but "allowed": true hangs the channel up.
  * by the api_hangup_hook it installs:  luarun freeswitch-callwarden.lua outcome attempt=... ...
    which POSTs /v1/attempts/{attempt_id}/outcome.

mod_curl's "timeout" is in whole seconds (CURLOPT_TIMEOUT, connect included), so 1 s is the
shortest wait; a value that is not a positive integer would mean NO timeout, so it is forced to 1..5.
]]

local api = freeswitch.API()

local function log(level, msg)
	freeswitch.consoleLog(level, "callwarden: " .. msg .. "\n")
end

local function setting(name, default)
	local value = freeswitch.getGlobalVariable(name)
	if value == nil or value == "" then
		return default
	end
	return value
end

local BASE_URL = setting("callwarden_url", "http://127.0.0.1:8080")
local DIALER_KEY = setting("callwarden_dialer_key", "")
local SPOOL_DIR = setting("callwarden_spool_dir", "/var/spool/callwarden")
local TIMEOUT = math.floor(tonumber(setting("callwarden_timeout", "1")) or 1)
if TIMEOUT < 1 then TIMEOUT = 1 end
if TIMEOUT > 5 then TIMEOUT = 5 end

-- JSON -------------------------------------------------------------------------------------------

local function json_string(s)
	local escaped = s:gsub('[%c"\\]', function(c)
		local named = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
		return named[c] or string.format("\\u%04x", c:byte())
	end)
	return '"' .. escaped .. '"'
end

-- Flat object of strings, keys in the given order.
local function json_object(keys, values)
	local parts = {}
	for _, k in ipairs(keys) do
		if values[k] ~= nil then
			parts[#parts + 1] = json_string(k) .. ":" .. json_string(values[k])
		end
	end
	return "{" .. table.concat(parts, ",") .. "}"
end

-- A small strict JSON decoder (objects, arrays, strings, numbers, true/false/null); errors raise.
local function json_decode(text)
	local pos = 1
	local function fail(what)
		error("invalid JSON (" .. what .. ") at byte " .. pos, 0)
	end
	local function skip()
		pos = text:find("[^ \t\r\n]", pos) or (#text + 1)
	end
	local value
	local function str()
		pos = pos + 1
		local out = {}
		while true do
			local c = text:sub(pos, pos)
			if c == "" then fail("unterminated string") end
			if c == '"' then pos = pos + 1; return table.concat(out) end
			if c == "\\" then
				local e = text:sub(pos + 1, pos + 1)
				local simple = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }
				if simple[e] then
					out[#out + 1] = simple[e]; pos = pos + 2
				elseif e == "u" then
					local hex = text:sub(pos + 2, pos + 5)
					if not hex:match("^%x%x%x%x$") then fail("bad \\u escape") end
					local n = tonumber(hex, 16)
					if n < 0x80 then out[#out + 1] = string.char(n)
					elseif n < 0x800 then out[#out + 1] = string.char(0xC0 + math.floor(n / 64), 0x80 + n % 64)
					else out[#out + 1] = string.char(0xE0 + math.floor(n / 4096), 0x80 + math.floor(n / 64) % 64, 0x80 + n % 64) end
					pos = pos + 6
				else
					fail("bad escape")
				end
			elseif c:byte() < 32 then
				fail("control character in string")
			else
				out[#out + 1] = c; pos = pos + 1
			end
		end
	end
	function value()
		skip()
		local c = text:sub(pos, pos)
		if c == "{" then
			pos = pos + 1
			local obj = {}
			skip()
			if text:sub(pos, pos) == "}" then pos = pos + 1; return obj end
			while true do
				skip()
				if text:sub(pos, pos) ~= '"' then fail("expected key") end
				local k = str()
				skip()
				if text:sub(pos, pos) ~= ":" then fail("expected colon") end
				pos = pos + 1
				obj[k] = value()
				skip()
				local d = text:sub(pos, pos)
				pos = pos + 1
				if d == "}" then return obj end
				if d ~= "," then fail("expected , or }") end
			end
		elseif c == "[" then
			pos = pos + 1
			local arr = {}
			skip()
			if text:sub(pos, pos) == "]" then pos = pos + 1; return arr end
			while true do
				arr[#arr + 1] = value()
				skip()
				local d = text:sub(pos, pos)
				pos = pos + 1
				if d == "]" then return arr end
				if d ~= "," then fail("expected , or ]") end
			end
		elseif c == '"' then
			return str()
		elseif text:sub(pos, pos + 3) == "true" then
			pos = pos + 4; return true
		elseif text:sub(pos, pos + 4) == "false" then
			pos = pos + 5; return false
		elseif text:sub(pos, pos + 3) == "null" then
			pos = pos + 4; return nil
		else
			local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
			if not num or num == "" then fail("unexpected character") end
			pos = pos + #num
			return tonumber(num)
		end
	end
	local result = value()
	skip()
	if pos <= #text then fail("trailing data") end
	return result
end

-- mod_curl -------------------------------------------------------------------------------------

-- mod_curl splits its arguments on spaces, honours '...' quoting and URL-decodes the post data:
-- percent-encode the whole body so that no space, quote or backslash reaches its tokenizer.
local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function post_json(path, body)
	-- At most 10 space-separated words: mod_curl's API reads no more than that.
	local args = BASE_URL .. path
	if BASE_URL:sub(1, 6) == "https:" then
		args = args .. " secure"            -- verify the certificate (mod_curl's default is not to)
	end
	args = args .. " timeout " .. TIMEOUT
		.. " append_headers 'Authorization: Bearer " .. DIALER_KEY .. "'"
		.. " content-type application/json"
		.. " post " .. urlencode(body)
	-- On a timeout or a connection error the answer is empty.
	return api:execute("curl", args) or ""
end

-- outcome mode (api_hangup_hook) -----------------------------------------------------------------

if argv and argv[1] == "outcome" then
	local kv = {}
	for i = 2, #argv do
		local k, v = tostring(argv[i]):match("^(%w+)=(.*)$")
		if k then kv[k] = v end
	end
	local attempt = kv.attempt or ""
	if not attempt:match("^[%w_%-]+$") then
		return
	end
	local dispo = kv.disposition or ""
	local result = "failed"
	if dispo == "SUCCESS" then result = "connected"
	elseif dispo == "USER_BUSY" then result = "busy"
	elseif dispo == "NO_ANSWER" or dispo == "NO_USER_RESPONSE" or dispo == "ORIGINATOR_CANCEL" then result = "no_answer" end
	local spoke = "none"
	if result == "connected" then
		spoke = kv.spoke
		if spoke ~= "debtor" and spoke ~= "third_party" and spoke ~= "none" then
			spoke = "debtor"            -- the PBX cannot know; keep the cool-offs on the safe side
		end
	end
	local started = tonumber(kv.start) or os.time()
	local body = json_object({ "result", "spoke_with", "started_at", "ended_at" }, {
		result = result,
		spoke_with = spoke,
		started_at = os.date("!%Y-%m-%dT%H:%M:%SZ", started),
		ended_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time()),
	})
	post_json("/v1/attempts/" .. attempt .. "/outcome", body)
	log("info", "outcome " .. result .. " reported for attempt " .. attempt)
	return
end

-- authorize mode (dialplan application) -----------------------------------------------------------

local function var(name)
	local v = session:getVariable(name)
	if v == nil or v == "" or v == "_undef_" then return nil end
	return v
end

local function deny(reason, cause)
	session:setVariable("callwarden_allowed", "false")
	session:setVariable("callwarden_reason", reason)
	session:setVariable("callwarden_attempt_id", "")
	log("notice", "call " .. (session:get_uuid() or "?") .. " not allowed: " .. reason)
	session:hangup(cause or "CALL_REJECTED")
end

local function authorize()
	session:setVariable("callwarden_allowed", "false")
	if DIALER_KEY == "" or not DIALER_KEY:match("^[%w%-%._~+/=]+$") then
		return deny("misconfigured", "NORMAL_TEMPORARY_FAILURE")
	end
	local case_id = var("callwarden_case_id") or var("sip_h_X-Callwarden-Case-Id")
	local to = (argv and argv[1]) or var("destination_number") or ""
	to = to:gsub("[^%d+]", "")
	if not case_id or to == "" then
		return deny("bad_request")
	end
	local party = var("callwarden_party") or var("sip_h_X-Callwarden-Party")
	if party ~= "third_party" then party = "debtor" end
	local contact_id = var("callwarden_contact_id") or var("sip_h_X-Callwarden-Contact-Id")

	local body = json_object({ "case_id", "to", "channel", "party", "contact_id" }, {
		case_id = case_id, to = to, channel = "call", party = party, contact_id = contact_id,
	})
	local raw = post_json("/v1/authorize", body)
	if raw == "" then
		return deny("policy_unavailable", "NORMAL_TEMPORARY_FAILURE")
	end
	local ok, answer = pcall(json_decode, raw)
	if not ok or type(answer) ~= "table" then
		log("err", "unreadable answer from /v1/authorize: " .. tostring(answer))
		return deny("policy_unavailable", "NORMAL_TEMPORARY_FAILURE")
	end
	local attempt = answer.attempt_id
	if answer.allowed ~= true or type(attempt) ~= "string" or not attempt:match("^[%w_%-]+$") then
		local reason = "not_allowed"
		if type(answer.error) == "string" then
			-- An error answer (401 wrong key, 404 no case, 429, 5xx) is never a decision:
			-- a temporary failure, so the dialer tries again later rather than giving up.
			log("err", "/v1/authorize answered an error: " .. answer.error)
			return deny(answer.error, "NORMAL_TEMPORARY_FAILURE")
		end
		if type(answer.reason) == "string" then
			reason = answer.reason          -- the first reason's code, flat
		elseif type(answer.reasons) == "table" and type(answer.reasons[1]) == "table"
				and type(answer.reasons[1].code) == "string" then
			reason = answer.reasons[1].code
		end
		if type(answer.next_allowed_at) == "string" then
			session:setVariable("callwarden_next_allowed_at", answer.next_allowed_at)
		end
		if reason == "policy_unavailable" then
			return deny(reason, "NORMAL_TEMPORARY_FAILURE")
		end
		return deny(reason)
	end

	session:setVariable("callwarden_allowed", "true")
	session:setVariable("callwarden_attempt_id", attempt)
	log("info", "call " .. session:get_uuid() .. " allowed, attempt " .. attempt)

	-- The case headers must not travel on to the carrier with the bridged leg.
	session:execute("unset", "sip_h_X-Callwarden-Case-Id")
	session:execute("unset", "sip_h_X-Callwarden-Party")
	session:execute("unset", "sip_h_X-Callwarden-Contact-Id")

	-- Record into .partial/ (same filesystem as the spool folder), rename into the spool folder
	-- when the recording is closed: callwarden never picks up half a file.
	local partial = SPOOL_DIR .. "/.partial/" .. attempt .. ".wav"
	local final = SPOOL_DIR .. "/" .. attempt .. ".wav"
	-- Stereo: the channel's read audio (the agent, on the dialer's leg) left, its write audio (the
	-- debtor) right, so that speech flags can tell who said what (speech.agent_channel = left).
	session:setVariable("RECORD_STEREO", "true")
	session:setVariable("RECORD_ANSWER_REQ", "true")      -- start at answer, not during ringing
	session:setVariable("record_post_process_exec_api", "system:/bin/mv " .. partial .. " " .. final)
	session:execute("record_session", partial)

	-- Report the outcome when the channel hangs up (variables are expanded at that moment).
	session:setVariable("api_hangup_hook", "luarun freeswitch-callwarden.lua outcome"
		.. " attempt=${callwarden_attempt_id} disposition=${originate_disposition}"
		.. " start=${start_epoch} spoke=${callwarden_spoke_with}")
end

if session and session:ready() then
	authorize()
end
