-- wrk script for POST /login with a real customer's credentials: wrk ... -s bench/lua/login.lua -- EMAIL PASSWORD
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = string.format('{"email":"%s","password":"%s"}', args[1], args[2])
end
