-- wrk script: GET /api/v1/items with the queries citizens type, in rotation.
-- wrk -t2 -c32 -d30s -s docs/bench/items.lua http://127.0.0.1:8080
local queries = {"%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7", "%E5%85%AC%E7%A7%AF%E9%87%91", "%E4%B8%8D%E5%8A%A8%E4%BA%A7",
  "%E8%AE%B8%E5%8F%AF", "%E7%99%BB%E8%AE%B0", "%E9%A9%BE%E9%A9%B6", "%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9",
  "%E5%8C%BB%E7%96%97", "3716", "%E6%96%BD%E5%B7%A5"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/items?q=" .. queries[(i % #queries) + 1] .. "&limit=20")
end
