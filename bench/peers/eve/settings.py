"""Eve settings of the benchmark's Eve peer (loaded by app.py).

Eve's defaults, except what the benchmark needs: two resources on the
collections the C worker uses ("Author", "Book"), GET+POST on the lists,
GET on items, pages of 20 (at most 100), and the server from the same
MONGOALCHEMY_* variables the other peers read.
"""

import os

MONGO_HOST = os.environ.get("MONGOALCHEMY_SERVER", "localhost")
MONGO_PORT = int(os.environ.get("MONGOALCHEMY_PORT", "27017"))
MONGO_DBNAME = os.environ.get("MONGOALCHEMY_DATABASE", "library")
# Eve's default already; said here because the benchmark's FerretDB
# mishandles unacknowledged (w:0) writes.
MONGO_WRITE_CONCERN = {"w": 1}

RESOURCE_METHODS = ["GET", "POST"]
ITEM_METHODS = ["GET"]

PAGINATION_LIMIT = 100
PAGINATION_DEFAULT = 20

# ?where={"year":{"$gte":1950}} (Eve's default: every field may be filtered).
ALLOWED_FILTERS = ["*"]

# Documents loaded by another program have no _created, _updated or _etag:
# Eve answers them with the epoch as their dates and an _etag computed from
# the document (its defaults), so no setting is needed for reading them.

DOMAIN = {
    "authors": {
        "datasource": {"source": "Author"},
        "schema": {
            "name": {"type": "string"},
        },
    },
    "books": {
        # Pages in _id order, as the other systems give them: a page
        # without a sort has no defined content, and an unsorted find
        # also costs the server less, which would not be Eve's merit.
        "datasource": {"source": "Book", "default_sort": [("_id", 1)]},
        "schema": {
            "title": {"type": "string"},
            "author": {
                "type": "dict",
                "schema": {"name": {"type": "string"}},
            },
            "year": {"type": "integer"},
        },
    },
}
