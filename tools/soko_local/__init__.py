"""The Docker-free local runtime for Soko (``make dev``).

It reads ``template.yaml`` (transformed with aws-sam-translator), provisions every resource into
moto's embedded server, serves the HTTP API and Function URLs, polls SQS queues into their
consumer functions, runs Step Functions with the project's handlers, and fires schedules. Each
function runs in its own warm worker process with the environment the template gives it.
"""
