#!/usr/bin/env python3
"""bench/run's check of every system before any of it is timed.

    validate.py --books N --scenarios "get_by_id list_page ..." \\
        NAME=URL:STYLE [NAME=URL:STYLE ...]

For each scenario, a sample of the requests the benchmark will send (the
same URL grammar as bench/wrk/scenario.lua) goes to every system, and each
answer is checked against the data set bench_pages load wrote, which is
known book by book: status, content type, the number of items, the total,
every field of every item, and the same document for the same id on every
system. A create is checked by its answer and by reading the book back.

The authenticated scenarios (get_by_id_hs256, get_by_id_rs256: --loans and
a --token of each algorithm) read loans by id: a 200 with the loan as
bench_pages loans stored it when the token is sent, a 401 naming Bearer
when it is not.

Prints one JSON object: {"NAME": {"checked": N, "failures": [...]}}; exits
0 when no system failed, 1 otherwise. Creates add books: bench/run loads
the data set again afterwards.
"""

import argparse
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

AUTHORS = ["Mark Pilgrim", "Ursula K. Le Guin", "Italo Calvino", "Jorge Luis Borges",
           "Toni Morrison", "Stanisław Lem", "Chinua Achebe"]
PER_PAGE = 20
FIRST_YEAR, LAST_YEAR = 1900, 1999
FIELDS = ("_id", "title", "author", "year")


def loan(i):
    """Loan i (from 1) as bench_pages loans stores it, as the worker
    answers it (a datetime with its milliseconds)."""
    return {"_id": "66%022x" % i, "book": "65%022x" % i,
            "due": "2030-%02d-%02dT00:00:00.000Z" % (1 + i % 12, 1 + i % 28),
            "owner": "reader-%02d" % (i % 50)}


def book(i):
    """Book i (from 1) as bench_pages load stores it."""
    return {"_id": "65%022x" % i, "title": "Book %05d" % i,
            "author": {"name": AUTHORS[(i - 1) % len(AUTHORS)]},
            "year": FIRST_YEAR + ((i - 1) * 37) % 100}


class Answer:
    def __init__(self, status, ctype, body):
        self.status, self.ctype, self.body = status, ctype, body


def fetch(url, data=None, token=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            a = Answer(r.status, r.headers.get("Content-Type", ""), r.read())
            a.challenge = r.headers.get("WWW-Authenticate", "")
    except urllib.error.HTTPError as e:
        a = Answer(e.code, e.headers.get("Content-Type", ""), e.read())
        a.challenge = e.headers.get("WWW-Authenticate", "")
    return a


def page_url(style, page=1, year=None, after=None, per_page=PER_PAGE):
    if style == "eve":
        q = {"page": page, "max_results": per_page}
        where = {}
        if year is not None:
            where["year"] = {"$gte": year}
        if after is not None:
            where["_id"] = {"$gt": book(after)["_id"]}
        if where:
            q["where"] = json.dumps(where, separators=(",", ":"))
    else:
        q = {"page": page, "per_page": per_page}
        if year is not None:
            q["year__gte"] = year
        if after is not None:
            q["_id__gt"] = book(after)["_id"]
    return "/books?" + urllib.parse.urlencode(q)


def expect_page(books, page=1, year=None, after=None):
    """The items (book numbers) and total of a page."""
    match = [i for i in range(1, books + 1)
             if (year is None or book(i)["year"] >= year) and (after is None or i > after)]
    start = (page - 1) * PER_PAGE
    return match[start:start + PER_PAGE], len(match)


def item_fields(doc):
    """The fields the benchmark compares: Eve adds _created, _etag..."""
    return {k: doc[k] for k in FIELDS if k in doc}


class Checker:
    def __init__(self, name, url, style):
        self.name, self.url, self.style = name, url, style
        self.checked = 0
        self.failures = []
        self.seen = {}  # id -> the fields this system answered

    def fail(self, what, detail):
        if len(self.failures) < 20:
            self.failures.append(f"{what}: {detail}")

    def json_of(self, what, ans, status):
        self.checked += 1
        if ans.status != status:
            self.fail(what, f"status {ans.status}, expected {status}: {ans.body[:200]!r}")
            return None
        if ans.ctype.split(";")[0].strip() != "application/json":
            self.fail(what, f"content type {ans.ctype!r}")
            return None
        try:
            return json.loads(ans.body)
        except ValueError as e:
            self.fail(what, f"not JSON: {e}")
            return None

    def check_doc(self, what, doc, want):
        got = item_fields(doc) if isinstance(doc, dict) else doc
        if got != want:
            self.fail(what, f"got {got}, expected {want}")
            return False
        self.seen[want["_id"]] = got
        return True

    def get_by_id(self, i):
        what = f"GET /books/{book(i)['_id']}"
        doc = self.json_of(what, fetch(self.url + "/books/" + book(i)["_id"]), 200)
        if doc is not None:
            self.check_doc(what, doc, book(i))

    def get_loan(self, i, token):
        what = f"GET /loans/{loan(i)['_id']}"
        url = self.url + "/loans/" + loan(i)["_id"]
        doc = self.json_of(what + " with the token", fetch(url, token=token), 200)
        if doc is not None and doc != loan(i):
            self.fail(what, f"got {doc}, expected {loan(i)}")
        self.checked += 1
        ans = fetch(url)
        if ans.status != 401 or not ans.challenge.startswith("Bearer"):
            self.fail(what + " without a token",
                      f"status {ans.status}, WWW-Authenticate {ans.challenge!r}, expected 401 "
                      f"with a Bearer challenge: {ans.body[:200]!r}")

    def page(self, books, page=1, year=None, after=None):
        path = page_url(self.style, page, year, after)
        want, total = expect_page(books, page, year, after)
        body = self.json_of("GET " + path, fetch(self.url + path), 200)
        if body is None:
            return
        if self.style == "eve":
            items, got_total = body.get("_items"), body.get("_meta", {}).get("total")
        else:
            items, got_total = body.get("items"), body.get("total")
        if not isinstance(items, list) or len(items) != len(want):
            self.fail("GET " + path, f"{len(items) if isinstance(items, list) else items!r} items, "
                      f"expected {len(want)}")
            return
        if got_total != total:
            self.fail("GET " + path, f"total {got_total!r}, expected {total}")
        for doc, i in zip(items, want):
            if not self.check_doc("GET " + path, doc, book(i)):
                break

    def create(self, n):
        sent = {"title": f"Validated {n}", "author": {"name": f"Bench Author {n % 100}"},
                "year": FIRST_YEAR + n % 100}
        what = "POST /books"
        body = self.json_of(what, fetch(self.url + "/books", json.dumps(sent).encode()), 201)
        if body is None:
            return
        oid = body.get("_id")
        if not isinstance(oid, str) or len(oid) != 24:
            self.fail(what, f"no _id in {body}")
            return
        if self.style == "eve":
            if body.get("_status") != "OK":
                self.fail(what, f"_status {body.get('_status')!r}")
        else:
            self.check_doc(what, body, dict(sent, _id=oid))
        # Stored as sent: read it back.
        back = self.json_of(f"GET /books/{oid}", fetch(self.url + "/books/" + oid), 200)
        if back is not None:
            self.check_doc(f"GET /books/{oid} after POST", back, dict(sent, _id=oid))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--books", type=int, required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--loans", type=int, default=0, help="loans, for the authenticated scenarios")
    ap.add_argument("--token", action="append", default=[],
                    help="ALG=TOKEN, an admin's, for get_by_id_ALG")
    ap.add_argument("--samples", type=int, default=10, help="requests per scenario and system")
    ap.add_argument("systems", nargs="+", help="NAME=URL:STYLE")
    args = ap.parse_args()

    checkers = []
    for spec in args.systems:
        name, rest = spec.split("=", 1)
        url, style = rest.rsplit(":", 1)
        checkers.append(Checker(name, url, style))

    tokens = dict(t.split("=", 1) for t in args.token)
    rnd = random.Random(42)
    books = args.books
    # Creates last: the books they add would change the pages' totals.
    order = sorted(args.scenarios.split(), key=lambda s: s == "create")
    for scenario in order:
        base = scenario[:-3] if scenario.endswith("_1k") else scenario
        for k in range(args.samples):
            if base == "get_by_id":
                i = (1, books)[k] if k < 2 else rnd.randint(1, books)
                for c in checkers:
                    c.get_by_id(i)
            elif base in ("get_by_id_hs256", "get_by_id_rs256"):
                alg = base[len("get_by_id_"):]
                if alg not in tokens or args.loans < 1:
                    sys.exit(f"validate: {scenario} needs --loans and --token {alg}=TOKEN")
                i = (1, args.loans)[k] if k < 2 else rnd.randint(1, args.loans)
                for c in checkers:
                    c.get_loan(i, tokens[alg])
            elif base == "list_page":
                page = (1, books // PER_PAGE)[k] if k < 2 else rnd.randint(1, books // PER_PAGE)
                for c in checkers:
                    c.page(books, page)
            elif base == "filtered_page":
                year = rnd.randint(FIRST_YEAR, LAST_YEAR - 19)
                pages = books * (LAST_YEAR - year + 1) // 100 // PER_PAGE
                page = rnd.randint(1, min(pages, 100))
                for c in checkers:
                    c.page(books, page, year=year)
            elif base == "keyset_page_1":
                if k == 0:
                    for c in checkers:
                        c.page(books)
            elif base == "keyset_page_100":
                if k == 0:
                    for c in checkers:
                        c.page(books, after=99 * PER_PAGE)
            elif base == "create":
                if k < 3:
                    for c in checkers:
                        c.create(rnd.randint(1, 1000000))
            else:
                sys.exit(f"validate: unknown scenario {scenario}")

    # The same document for the same id on every system.
    ids = set().union(*(c.seen for c in checkers))
    for oid in sorted(ids):
        answers = {c.name: c.seen[oid] for c in checkers if oid in c.seen}
        if len({json.dumps(v, sort_keys=True) for v in answers.values()}) > 1:
            for c in checkers:
                if oid in c.seen:
                    c.fail("same id across systems", f"{oid}: {answers}")
    out = {c.name: {"checked": c.checked, "failures": c.failures} for c in checkers}
    print(json.dumps(out, ensure_ascii=False))
    sys.exit(1 if any(c.failures for c in checkers) else 0)


if __name__ == "__main__":
    main()
