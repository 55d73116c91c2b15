-- wrk script for POST /login with real customers' credentials, taking turns, so that no account has more
-- attempts in flight than the login throttle lets through (LOGIN_FREE_ATTEMPTS):
--   wrk ... -s bench/lua/login.lua -- EMAIL PASSWORD [EMAIL PASSWORD ...]
local bodies = {}
local turn = 0

function init(args)
  for i = 1, #args - 1, 2 do
    bodies[#bodies + 1] = string.format('{"email":"%s","password":"%s"}', args[i], args[i + 1])
  end
end

function request()
  turn = turn % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[turn])
end
