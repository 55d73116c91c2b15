-- wrk script for POST /orders: several customers (tokens), 1-3 distinct products a request, a distinct
-- Idempotency-Key for every request. bench/orders.sh writes bench-data.lua (tokens, products) beside it
-- and passes its path as the first script argument.
local tokens, products = {}, {}
local counter = 0   -- thread_id is set by setup() in each thread's globals
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

function init(args)
  dofile(args[1])   -- defines bench_tokens and bench_products
  tokens, products = bench_tokens, bench_products
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
  counter = counter + 1
  local n = math.random(1, 3)
  local first = math.random(1, #products)
  local items = {}
  for i = 0, n - 1 do
    local id = products[((first + i * 3 - 1) % #products) + 1]   -- distinct for n <= 3 when #products > 6
    items[#items + 1] = string.format('{"productId":"%s","quantity":%d}', id, math.random(1, 3))
  end
  local body = '{"items":[' .. table.concat(items, ",") ..
      '],"deliveryAddress":"1 Benchmark Street, Testville","notes":"ring twice"}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", bench_run, thread_id, counter),
  }
  return wrk.format("POST", "/orders", headers, body)
end
