-- wrk script: each connection is one thread of simulated residents (wrk -t N -c N), sending
-- pre-signed Twilio requests written by bench/load.py, one after the other, so a resident's
-- messages arrive in order and every response is matched with the request it answers.
--
-- Environment: LOAD_DIR (where t<id>.req and the results go), LOAD_CYCLE=1 to go round the
-- requests again (the floor, which keeps no state), LOAD_VOTE and LOAD_IDEA (the markers of
-- an acknowledged vote and idea in a reply).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

function init(args)
   local dir = os.getenv("LOAD_DIR")
   local file = assert(io.open(dir .. "/t" .. id .. ".req", "rb"))
   local raw = file:read("*a")
   file:close()
   requests = {}
   for one in raw:gmatch("([^%z]+)") do
      requests[#requests + 1] = one
   end
   cycle = os.getenv("LOAD_CYCLE") == "1"
   vote_marker = os.getenv("LOAD_VOTE")
   idea_marker = os.getenv("LOAD_IDEA")
   issued, answered, votes, ideas, refused, exhausted = 0, 0, 0, 0, 0, 0
end

function request()
   if issued == #requests then
      if not cycle then
         -- Out of residents: resend the last message (a re-delivery, answered from the replay
         -- store) rather than stall, and say so: the run needed more residents.
         exhausted = exhausted + 1
         return requests[#requests]
      end
      issued = 0
   end
   issued = issued + 1
   return requests[issued]
end

function response(status, headers, body)
   answered = answered + 1
   if status ~= 200 then
      refused = refused + 1
   elseif vote_marker and body:find(vote_marker, 1, true) then
      votes = votes + 1
   elseif idea_marker and body:find(idea_marker, 1, true) then
      ideas = ideas + 1
   end
end

function done(summary, latency, _requests)
   local out = assert(io.open(os.getenv("LOAD_DIR") .. "/result.json", "w"))
   local per_thread = {}
   for _, t in ipairs(threads) do
      per_thread[#per_thread + 1] = string.format(
         '{"id":%d,"issued":%d,"answered":%d,"votes":%d,"ideas":%d,"refused":%d,"exhausted":%d}',
         t:get("id"), t:get("issued"), t:get("answered"), t:get("votes"), t:get("ideas"),
         t:get("refused"), t:get("exhausted"))
   end
   local e = summary.errors
   out:write(string.format(
      '{"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
      '"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d},' ..
      '"threads":[%s]}',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      table.concat(per_thread, ",")))
   out:close()
end
