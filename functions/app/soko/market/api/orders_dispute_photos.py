"""POST /orders/{id}/disputes/photos"""

from aws_lambda_powertools.event_handler import Response

from soko.market import order_disputes
from soko.market.deps import market
from soko.market.models import ImageUpload, ImageUploadRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/orders/<id>/disputes/photos",
    summary="Upload a photo for a dispute",
    description="The buyer of a delivered order, within its dispute window. Returns a presigned S3 POST "
    "form whose policy accepts only the declared type (jpeg, png or webp) and at most 10 MB; its `key` "
    "(under `disputes/<order id>/`) goes in the dispute's `photos`.",
    tags=["orders"],
    responses={
        201: {"description": "Upload form", "content": {JSON: {"model": ImageUpload}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def photo(id: str, request: ImageUploadRequest) -> Response[str]:
    return json_body(order_disputes.photo_upload(caller(app), id, request, market()), 201)


lambda_handler = entry(app)
