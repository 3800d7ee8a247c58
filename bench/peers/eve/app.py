"""Eve peer of the benchmark: Author and Book as an Eve REST API.

/books and /books/<ObjectId> (and /authors), in Eve's own formats (_items,
_meta, _links), with the settings of settings.py beside this file.

Run it (see bench/peers/README.md):

    MONGOALCHEMY_SERVER=127.0.0.1 MONGOALCHEMY_PORT=27017 \
    MONGOALCHEMY_DATABASE=library \
    <venv>/bin/gunicorn --chdir bench/peers/eve -w 2 -k sync \
        -b unix:/tmp/eve.sock --log-level warning app:app
"""

import os

from eve import Eve

app = Eve(settings=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "settings.py"))
