"""Soko: the code every Soko Lambda function ships.

Layout per domain (see CONTRIBUTING.md): ``api/<endpoint>.py`` (parse the request, call one logic
function, shape the response) -> ``logic`` (pydantic in, pydantic out, no boto3) -> ``dal`` (the
domain's own table; the only domain code that touches boto3), with ``events`` (the contracts it
publishes), ``consumers/`` and ``public`` (what other domains may read). ``soko.shared`` holds what
every domain uses and never imports a domain.
"""

import os

# Pydantic looks for plugins on its first model by reading the entry points of every installed
# distribution (importlib.metadata: 20-40 ms of every cold start, more with a large layer). Soko
# uses none; a deployment that wants one sets PYDANTIC_DISABLE_PLUGINS itself (to "" or a list).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
