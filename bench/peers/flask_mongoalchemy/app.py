"""Flask-MongoAlchemy peer of the benchmark: the C worker's /books, in Python.

The library of Flask-MongoAlchemy's documentation (Author, Book), served the
way examples/library serves it: GET /books/<id>, GET /books (a page, with
?page, ?per_page and ?year__gte) and POST /books, answering the same JSON and
the same RFC 9457 problems.

Run it (see bench/peers/README.md):

    MONGOALCHEMY_SERVER=127.0.0.1 MONGOALCHEMY_PORT=27017 \
    MONGOALCHEMY_DATABASE=library \
    <venv>/bin/gunicorn --chdir bench/peers/flask_mongoalchemy -w 2 -k sync \
        -b unix:/tmp/fma.sock --log-level warning app:app

Versions: Flask-MongoAlchemy 0.7.2 installed without its pins (it asks for
MongoAlchemy 0.19 and pymongo 2.8.1, which cannot talk to a current server),
with MongoAlchemy 0.21 and pymongo 3.13.0 (requirements.txt). Nothing of
Flask-MongoAlchemy is patched: it imports only flask.abort and the app
context, which the last Flask 2 (2.3.3) has. One setting works around its ''
default for the replica set (below).
"""

import json
import os
import warnings

from bson import ObjectId
from bson.errors import InvalidId
from flask import Flask, Response, request
from flask_mongoalchemy import MongoAlchemy
from mongoalchemy.exceptions import (BadValueException, ExtraValueException,
                                     MissingValueException)
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException

# MongoAlchemy 0.21 on pymongo 3 calls APIs that pymongo 3.x deprecates
# (Collection.save, Cursor.count) and Flask-MongoAlchemy's Document.save()
# calls MongoAlchemy's deprecated Session.insert(). They all still work on
# pymongo 3.13; keep the warnings out of the benchmark's logs.
warnings.filterwarnings("ignore", category=DeprecationWarning)

app = Flask(__name__)

# Flask-MongoAlchemy reads its settings from app.config; take them from the
# environment under the same names (MONGOALCHEMY_SERVER, _PORT, _DATABASE,
# and the rest it knows).
for _suffix in ("SERVER", "PORT", "DATABASE", "USER", "PASSWORD", "OPTIONS",
                "REPLICA_SET", "CONNECTION_STRING"):
    _name = "MONGOALCHEMY_" + _suffix
    if os.environ.get(_name):
        app.config[_name] = os.environ[_name]
app.config.setdefault("MONGOALCHEMY_DATABASE", "library")
# Work-around (a setting, no patch): Flask-MongoAlchemy defaults
# MONGOALCHEMY_REPLICA_SET to '' and always hands it to MongoClient as
# replicaSet=. pymongo 2.8 took '' as "no replica set"; pymongo 3 takes it
# as a set named '', finds that a standalone server is in no set, and never
# selects it ("client is configured to connect to a replica set named ''
# but this node belongs to a set named 'None'"). None means no set to both.
if not app.config.get("MONGOALCHEMY_REPLICA_SET"):
    app.config["MONGOALCHEMY_REPLICA_SET"] = None
# Acknowledged writes (w:1). Without it MongoAlchemy writes with w:0, which
# the benchmark's FerretDB mishandles (and which would not be a fair race).
app.config["MONGOALCHEMY_SAFE_SESSION"] = True

db = MongoAlchemy(app)


class Author(db.Document):
    name = db.StringField()


class Book(db.Document):
    # MongoAlchemy's default collection is the class name, "Book", which is
    # where the C worker and the loader keep the books; say so explicitly.
    config_collection_name = "Book"

    title = db.StringField()
    author = db.DocumentField(Author)
    year = db.IntField()


# What a BadValueException on each field means, for the problem's detail.
KIND_MESSAGES = {
    "title": "must be a string",
    "name": "must be a string",
    "author": "must be an object",
    "year": "must be an integer",
}

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
INT64_MAX = (1 << 63) - 1


# --- JSON answers -------------------------------------------------------

def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def json_response(obj, status=200, headers=None):
    return Response(_dumps(obj), status=status, headers=headers,
                    content_type="application/json")


def problem(status, title, detail, headers=None):
    body = {"type": "about:blank", "title": title, "status": status,
            "detail": detail}
    return Response(_dumps(body), status=status, headers=headers,
                    content_type="application/problem+json")


def book_json(book):
    """A Book as the C worker answers it: _id, title, author, year."""
    out = {"_id": str(book.mongo_id)}
    title = getattr(book, "title", None)
    if title is not None:
        out["title"] = title
    author = getattr(book, "author", None)
    if author is not None:
        name = getattr(author, "name", None)
        out["author"] = {"name": name} if name is not None else {}
    year = getattr(book, "year", None)
    if year is not None:
        out["year"] = year
    return out


@app.errorhandler(HTTPException)
def http_problem(e):
    # abort(404) from get_or_404/paginate, unknown paths (404), wrong
    # methods (405, with its Allow header)...
    headers = [(k, v) for k, v in e.get_headers() if k.lower() == "allow"]
    detail = getattr(e, "problem_detail", None) or {
        404: "no route matches this path",
        405: "this path does not take this method",
    }.get(e.code, e.description)
    return problem(e.code, e.name, detail, headers)


@app.errorhandler(ConnectionFailure)
def db_unavailable(e):
    app.logger.error("%s %s: 503: %s", request.method, request.path, e)
    return problem(503, "Service Unavailable",
                   "the database is unavailable; try again later",
                   {"Retry-After": "5"})


# --- routes -------------------------------------------------------------

@app.get("/books/<book_id>")
def get_book(book_id):
    # Flask-MongoAlchemy's get_or_404(), as its documentation serves a
    # document: abort(404) for no document and for ids MongoAlchemy refuses.
    # A 24-character or 12-character string that is not hex gets past
    # MongoAlchemy's length check and makes bson raise InvalidId instead:
    # that is a malformed id, a 404 like the others.
    try:
        book = Book.query.get_or_404(book_id)
    except (InvalidId, TypeError):
        book = None
    except HTTPException as e:
        if e.code != 404:
            raise
        book = None
    if book is None:
        return problem(404, "Not Found", "no Book has the id '%s'" % book_id)
    return json_response(book_json(book))


def _int_param(name, default):
    raw = request.args.get(name)
    if raw is None:
        return default, None
    if not raw or not (raw.isdigit() or (raw[0] in "+-" and raw[1:].isdigit())) \
            or not raw.isascii():
        return None, "%s: must be a decimal integer" % name
    value = int(raw)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        return None, "%s: must be a decimal integer" % name
    return value, None


@app.get("/books")
def list_books():
    page, err = _int_param("page", 1)
    if err is None:
        per_page, err = _int_param("per_page", DEFAULT_PER_PAGE)
        if err is None and not 1 <= per_page <= MAX_PER_PAGE:
            err = "per_page: must be between 1 and %d" % MAX_PER_PAGE
    year = None
    if err is None and "year__gte" in request.args:
        raw = request.args["year__gte"]
        try:
            year = int(raw)
        except ValueError:
            err = "year__gte: must be an integer, not '%s'" % raw
    after = None
    if err is None and "_id__gt" in request.args:
        raw = request.args["_id__gt"]
        if ObjectId.is_valid(raw) and len(raw) == 24:
            after = ObjectId(raw)
        else:
            err = "_id__gt: must be an id, not '%s'" % raw
    if err is not None:
        return problem(400, "Bad Request", err)

    query = Book.query
    if year is not None:
        query = query.filter(Book.year >= year)
    if after is not None:
        # A keyset page: the books after the given id, by a range on the
        # sort key instead of a skip.
        query = query.filter(Book.mongo_id > after)
    query = query.ascending(Book.mongo_id)
    # paginate() aborts with 404 below page 1 and past the last page (page 1
    # of an empty list is a page). A skip past 64 bits cannot be sent.
    if page >= 1 and (page - 1) * per_page > INT64_MAX:
        return problem(404, "Not Found", "page %d does not exist" % page)
    try:
        p = query.paginate(page, per_page)
    except HTTPException as e:
        if e.code == 404:
            return problem(404, "Not Found", "page %d does not exist" % page)
        raise
    has_prev, has_next = p.has_prev(), p.has_next()
    body = {
        "items": [book_json(b) for b in p.items],
        "page": p.page,
        "per_page": p.per_page,
        "total": p.total,
        "pages": p.pages,
        "has_prev": has_prev,
        "has_next": has_next,
        "prev_num": p.prev_num if has_prev else None,
        "next_num": p.next_num if has_next else None,
    }
    return json_response(body, headers={"X-Total-Count": str(p.total)})


@app.post("/books")
def create_book():
    ctype = request.mimetype or ""
    if not (ctype == "application/json" or
            (ctype.startswith("application/") and ctype.endswith("+json"))):
        return problem(415, "Unsupported Media Type",
                       "the request body must be application/json, not %s"
                       % (ctype or "nothing"))
    try:
        data = json.loads(request.get_data())
    except ValueError as e:
        return problem(400, "Bad Request", "malformed JSON: %s" % e)
    if not isinstance(data, dict):
        return problem(400, "Bad Request", "invalid Book: not a JSON object")

    # MongoAlchemy checks the values: a value of the wrong kind raises
    # BadValueException when it is set, an unknown field ExtraValueException
    # in the constructor, a missing one MissingValueException when save()
    # wraps the document for MongoDB (before anything is queued or sent).
    fields = dict(data)
    for sub in (fields, fields.get("author")):
        # Document.__init__'s own keyword arguments are no fields.
        for name in ("retrieved_fields", "loading_from_db"):
            if isinstance(sub, dict) and name in sub:
                return problem(400, "Bad Request",
                               "invalid Book: %s: unknown field" % name)
    try:
        if isinstance(fields.get("author"), dict):
            fields["author"] = Author(**fields["author"])
        book = Book(**fields)
        book.save()   # Flask-MongoAlchemy's Document.save(): insert + flush
    except BadValueException as e:
        what = KIND_MESSAGES.get(e.name, "bad value")
        return problem(400, "Bad Request", "invalid Book: %s: %s" % (e.name, what))
    except MissingValueException as e:
        return problem(400, "Bad Request", "invalid Book: %s: required" % e)
    except ExtraValueException as e:
        return problem(400, "Bad Request", "invalid Book: %s: unknown field" % e)
    return json_response(book_json(book), status=201,
                         headers={"Location": "/books/%s" % book.mongo_id})
