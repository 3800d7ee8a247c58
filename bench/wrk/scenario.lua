-- One benchmark scenario for wrk, the same for every system measured.
--
-- Environment (set by bench/run):
--   BENCH_SCENARIO  get_by_id | list_page | filtered_page | create |
--                   keyset_page_1 | keyset_page_100 | list_page_1k |
--                   filtered_page_1k | get_by_id_hs256 | get_by_id_rs256 |
--                   mixed (the _1k scenarios are the page scenarios, run on
--                   a set of 1,000 books; the _hs256 and _rs256 ones are
--                   GET /loans/{id} with BENCH_TOKEN)
--   BENCH_STYLE     contract (our HTTP contract: the C worker, the bare C
--                   baseline, the Flask-MongoAlchemy peer) | eve (Eve's
--                   URL grammar)
--   BENCH_BOOKS     books in the data set (ids "65" + 22 hex digits of
--                   1..BENCH_BOOKS, years 1900 to 1999: bench_pages load)
--   BENCH_LOANS     loans in the data set (ids "66" + 22 hex digits of
--                   1..BENCH_LOANS: bench_pages loans)
--   BENCH_TOKEN     the bearer token of the authenticated scenarios
--   BENCH_LIMIT     exit after this many responses (0: run for wrk's -d).
--                   bench/run's memory run, with one wrk thread (-t1): wrk
--                   itself always runs its whole -d, even once its threads
--                   stop.
--   BENCH_REQUESTS  end the run once this many responses came (0: run for
--                   wrk's -d): each thread writes a line to BENCH_DONE_FILE
--                   once it has its share, and bench/run interrupts wrk
--                   (SIGINT) when every thread has, which then reports as
--                   at the end of its -d. Every thread keeps its
--                   connections busy until then.
--   BENCH_DONE_FILE a file of this run's own, for the threads' tally
--   BENCH_THREADS   wrk's -t (a thread's init() runs before the next
--                   thread exists, so the script cannot count them)
--
-- done() prints one line, "BENCH_JSON {...}", that bench/run collects:
-- requests per second, p50 and p99 in ms, and every error: socket errors
-- and responses outside 2xx, counted here rather than trusted to wrk's
-- own count (which ignores 1xx and 3xx).

local scenario = os.getenv("BENCH_SCENARIO") or "get_by_id"
local style = os.getenv("BENCH_STYLE") or "contract"
local books = tonumber(os.getenv("BENCH_BOOKS") or "10000")
local loans = tonumber(os.getenv("BENCH_LOANS") or "1000")
local token = os.getenv("BENCH_TOKEN") or ""
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local quota = tonumber(os.getenv("BENCH_REQUESTS") or "0")
local done_file = os.getenv("BENCH_DONE_FILE") or ""
if quota > 0 and done_file == "" then
	error("BENCH_REQUESTS needs BENCH_DONE_FILE")
end

local PER_PAGE = 20
local FIRST_YEAR, LAST_YEAR = 1900, 1999
-- A filter keeps at least 20 years (2,000 books of 10,000): 100 full pages.
local LAST_FILTER_YEAR = LAST_YEAR - 19

local threads = {}
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
	table.insert(threads, thread)
end

-- This thread's share of BENCH_REQUESTS is answered: one line in the
-- tally, which bench/run watches; once every thread wrote its line it
-- interrupts wrk (SIGINT).
local function quota_reached()
	local f = assert(io.open(done_file, "a"))
	f:write(id, "\n")
	f:close()
end

function init(args)
	-- Threads differ in their random sequences, runs repeat them.
	math.randomseed(1000 + id)
	nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
	reached = false
	non2xx = 0
	responses = 0
	statuses = {}
	authors_made = 0
	run_stamp = os.time()
end

local function book_path()
	return string.format("/books/65%022x", math.random(books))
end

local function page_query(page)
	if style == "eve" then
		return string.format("page=%d&max_results=%d", page, PER_PAGE)
	end
	return string.format("page=%d&per_page=%d", page, PER_PAGE)
end

local function list_path()
	local pages = math.floor(books / PER_PAGE)
	return "/books?" .. page_query(math.random(pages))
end

-- The id of book N, as bench_pages load stores it.
local function book_id(n)
	return string.format("65%022x", n)
end

-- A keyset page: the PER_PAGE books after book AFTER (0: the first page),
-- by a range on _id, the sort key, instead of a skip.
local function keyset_path(after)
	if style == "eve" then
		if after == 0 then
			return "/books?max_results=" .. PER_PAGE
		end
		-- where={"_id":{"$gt":"<id>"}}, escaped
		return string.format("/books?where=%%7B%%22_id%%22%%3A%%7B%%22%%24gt%%22%%3A%%22%s%%22%%7D%%7D&max_results=%d",
			book_id(after), PER_PAGE)
	end
	if after == 0 then
		return "/books?per_page=" .. PER_PAGE
	end
	return string.format("/books?_id__gt=%s&per_page=%d", book_id(after), PER_PAGE)
end

local function filtered_path()
	local year = math.random(FIRST_YEAR, LAST_FILTER_YEAR)
	-- Books from YEAR on: (LAST_YEAR - year + 1) per cent of the set.
	local pages = math.floor(books * (LAST_YEAR - year + 1) / 100 / PER_PAGE)
	local page = math.random(math.min(pages, 100))
	if style == "eve" then
		-- where={"year":{"$gte":YEAR}}, escaped
		return string.format("/books?where=%%7B%%22year%%22%%3A%%7B%%22%%24gte%%22%%3A%d%%7D%%7D&%s",
			year, page_query(page))
	end
	return string.format("/books?year__gte=%d&%s", year, page_query(page))
end

local create_headers = { ["Content-Type"] = "application/json" }
local auth_headers = { ["Authorization"] = "Bearer " .. token }

-- A loan by id, as a caller who may see every loan.
local function loan_request()
	return wrk.format("GET", string.format("/loans/66%022x", math.random(loans)), auth_headers)
end

local function create_request()
	local n = math.random(1000000)
	local body = string.format(
		'{"title":"Created %d","author":{"name":"Bench Author %d"},"year":%d}',
		n, n % 100, math.random(FIRST_YEAR, LAST_YEAR))
	return wrk.format("POST", "/books", create_headers, body)
end

local makers = {
	get_by_id = function() return wrk.format("GET", book_path()) end,
	list_page = function() return wrk.format("GET", list_path()) end,
	filtered_page = function() return wrk.format("GET", filtered_path()) end,
	create = create_request,
	-- Page 1 and page 100: after the 99 pages' 1,980 books before it.
	keyset_page_1 = function() return wrk.format("GET", keyset_path(0)) end,
	keyset_page_100 = function() return wrk.format("GET", keyset_path(99 * PER_PAGE)) end,
}
makers.list_page_1k = makers.list_page
makers.get_by_id_hs256 = loan_request
makers.get_by_id_rs256 = loan_request
makers.filtered_page_1k = makers.filtered_page

-- The memory run: mostly reads, every kind of request, and authors (not
-- books) for the writes, so that the pages keep their cost.
local function mixed_request()
	local r = math.random(100)
	if r <= 40 then
		return makers.get_by_id()
	elseif r <= 55 then
		return makers.list_page()
	elseif r <= 70 then
		return makers.filtered_page()
	elseif r <= 75 then
		-- a miss: a well-formed id of no book, then a malformed one
		return wrk.format("GET", (r % 2 == 0) and "/books/ffffffffffffffffffffffff" or "/books/nope")
	elseif r <= 80 then
		return wrk.format("GET", "/books?page=1&per_page=20&sort=-year,title&year__lt=1950")
	end
	-- An author's name is unique (the example's index): this thread's
	-- own sequence, under the run's start, never repeats one.
	authors_made = authors_made + 1
	return wrk.format("POST", "/authors", create_headers,
		string.format('{"name":"Memory Author %d-%d-%d"}', run_stamp, id, authors_made))
end

if makers[scenario] == loan_request and token == "" then
	error(scenario .. " needs BENCH_TOKEN")
end

if scenario == "mixed" then
	request = mixed_request
else
	request = makers[scenario]
	if request == nil then
		error("unknown BENCH_SCENARIO " .. scenario)
	end
end

function response(status, headers, body)
	responses = responses + 1
	if status < 200 or status > 299 then
		-- The mixed run asks for misses on purpose.
		if not (scenario == "mixed" and status == 404) then
			non2xx = non2xx + 1
		end
		statuses[status] = (statuses[status] or 0) + 1
	end
	if quota > 0 and not reached and responses >= math.ceil(quota / nthreads) then
		reached = true
		quota_reached()
	end
	if limit > 0 and responses >= limit then
		io.write(string.format('BENCH_JSON {"requests":%d,"errors":%d,"non2xx":%d,"statuses":{%s}}\n',
			responses, non2xx, non2xx, format_statuses(statuses)))
		io.flush()
		os.exit(0)
	end
end

-- {404: 3, 503: 1} as JSON members: "404":3,"503":1
function format_statuses(counts)
	local members = {}
	for code, n in pairs(counts) do
		table.insert(members, string.format('"%d":%d', code, n))
	end
	table.sort(members)
	return table.concat(members, ",")
end

function done(summary, latency, requests)
	local bad, seen = 0, {}
	for _, t in ipairs(threads) do
		bad = bad + t:get("non2xx")
		local s = t:get("statuses")
		for code, n in pairs(s) do
			seen[code] = (seen[code] or 0) + n
		end
	end
	local e = summary.errors
	local socket = e.connect + e.read + e.write + e.timeout
	local seconds = summary.duration / 1e6
	io.write(string.format(
		'BENCH_JSON {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,'
		.. '"errors":%d,"non2xx":%d,"socket_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
		summary.requests, seconds, summary.requests / seconds,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		bad + socket, bad, socket, e.timeout, format_statuses(seen)))
end
