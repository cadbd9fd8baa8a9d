"""POST /listings/{id}/images"""

from aws_lambda_powertools.event_handler import Response

from soko.market import listings
from soko.market.deps import market
from soko.market.models import ImageUpload, ImageUploadRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/listings/<id>/images",
    summary="Upload an image of my listing",
    description="Returns a presigned S3 POST form; its policy accepts only the declared type (jpeg, png or "
    "webp) and at most 10 MB, whatever the client sends. At most 8 images a listing.",
    tags=["listings"],
    responses={
        201: {"description": "Upload form", "content": {JSON: {"model": ImageUpload}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def images(id: str, request: ImageUploadRequest) -> Response[str]:
    return json_body(listings.image_upload(caller(app), id, request, market()), 201)


lambda_handler = entry(app)
