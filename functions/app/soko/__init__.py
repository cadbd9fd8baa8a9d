"""Soko: the code every Soko Lambda function ships.

Layout per domain (see CONTRIBUTING.md): ``api/<endpoint>.py`` (parse the request, call one logic
function, shape the response) -> ``logic`` (pydantic in, pydantic out, no boto3) -> ``dal`` (the
domain's own table; the only domain code that touches boto3), with ``events`` (the contracts it
publishes), ``consumers/`` and ``public`` (what other domains may read). ``soko.shared`` holds what
every domain uses and never imports a domain.
"""
