"""Handlers of the runtime test application (plain boto3, no Soko code)."""

import base64
import json
import os

import boto3

_calls = {"authorizer": 0}


class TransientError(Exception):
    pass


class PaymentDeclined(Exception):
    pass


def _table():
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def authorizer(event, context):
    _calls["authorizer"] += 1
    token = event["identitySource"][0].removeprefix("Bearer ")
    if not token.startswith("good-"):
        return {"isAuthorized": False}
    user = token.removeprefix("good-")
    return {"isAuthorized": True, "context": {"userId": user, "role": "buyer", "calls": _calls["authorizer"]}}


def echo(event, context):
    body = event.get("body")
    if body is not None and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-echo": "yes"},
        "cookies": ["seen=1; Path=/"],
        "body": json.dumps(
            {
                "routeKey": event.get("routeKey"),
                "rawPath": event["rawPath"],
                "pathParameters": event.get("pathParameters"),
                "query": event.get("queryStringParameters"),
                "authorizer": event["requestContext"].get("authorizer"),
                "wasBase64": event.get("isBase64Encoded"),
                "body": body,
                "functionName": context.function_name,
                "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
                "table": os.environ.get("TABLE_NAME"),
                "leaked": os.environ.get("SOKO_E2E_SENTINEL"),
            }
        ),
    }


def boom(event, context):
    raise RuntimeError("this message must not reach the client")


def consume(event, context):
    failures = []
    for record in event["Records"]:
        detail = json.loads(record["body"])["detail"]
        _table().update_item(
            Key={"pk": f"seen#{detail['key']}"},
            UpdateExpression="ADD deliveries :one",
            ExpressionAttributeValues={":one": 1},
        )
        if detail.get("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def flaky(event, context):
    attempts = _table().update_item(
        Key={"pk": f"flaky#{event['run']}"},
        UpdateExpression="ADD attempts :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]["attempts"]
    if attempts < 2:
        raise TransientError("try again")
    return {"attempts": int(attempts)}


def pay(event, context):
    if event["amount"] > 100:
        raise PaymentDeclined("insufficient funds")
    return {"charged": event["amount"]}


def tick(event, context):
    _table().put_item(Item={"pk": "tick", "job": event.get("job", "?")})
    return {"ticked": event.get("job")}


def stream(event, context):
    failures = []
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage", {})
        key = image["pk"]["S"]
        _table().update_item(
            Key={"pk": f"stream#{key}"},
            UpdateExpression="ADD deliveries :one",
            ExpressionAttributeValues={":one": 1},
        )
        if "poison" in image:
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
