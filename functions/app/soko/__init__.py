"""Soko: the code every Soko Lambda function ships.

Layout per domain (see CONTRIBUTING.md): ``handler`` (parse the event, call one logic function,
shape the response) -> ``logic`` (pydantic in, pydantic out, no boto3) -> ``dal`` (the only code
that touches boto3). ``soko.shared`` holds what every domain uses.
"""
