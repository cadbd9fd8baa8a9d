"""GET /catalogue"""

from aws_lambda_powertools.event_handler import Response

from soko.market import catalogue
from soko.market.models import Catalogue
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/catalogue",
    summary="Crops and districts",
    description="Public. Every crop of the catalogue (its id, English and Luganda names, category) and "
    "every district (name and coordinates of its main town): the choices of a client's crop and "
    "district pickers, and the names to show for the crop ids on listings and orders. The same for "
    f"every caller; cacheable for {catalogue.MAX_AGE_SECONDS} s (`Cache-Control`).",
    tags=["listings"],
    responses={
        200: {"description": "The catalogue", "content": {JSON: {"model": Catalogue}}},
        **error_responses(),
    },
)
def get_catalogue() -> Response[str]:
    return json_body(
        catalogue.catalogue(),
        headers={"Cache-Control": f"public, max-age={catalogue.MAX_AGE_SECONDS}"},
    )


lambda_handler = entry(app)
