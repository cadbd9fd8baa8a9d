"""POST /posts/{id}/media"""

from aws_lambda_powertools.event_handler import Response

from soko.posts import logic
from soko.posts.deps import posts
from soko.posts.models import MediaUpload, MediaUploadRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/posts/<id>/media",
    summary="Attach an image, PDF or short video to a post",
    description="The author or an admin. Returns a presigned S3 POST form; its policy accepts only the "
    "declared type and at most 10 MB (images, PDFs) or 100 MB (mp4, webm, quicktime video), whatever "
    "the client sends. At most 10 media files a post.",
    tags=["posts"],
    responses={
        201: {"description": "Upload form", "content": {JSON: {"model": MediaUpload}}},
        **error_responses(400, 401, 403, 404, 409, 422),
    },
)
def media(id: str, request: MediaUploadRequest) -> Response[str]:
    return json_body(logic.media_upload(caller(app), id, request, posts()), 201)


lambda_handler = entry(app)
