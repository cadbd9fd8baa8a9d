"""The application's templates, read once per session for every template check."""

from __future__ import annotations

from pathlib import Path

import pytest
from template_checks import Templates

from soko_local.template import AppModel, merged_sam, stack_templates

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@pytest.fixture(scope="session")
def templates(app_model: AppModel) -> Templates:
    """The application as written and as translated (the `app_model` fixture), and each of its
    stacks on its own, as `sam deploy` creates them."""
    stacks = stack_templates(
        TEMPLATE, parameters={"Stage": "local"}, region="us-east-1", account_id="123456789012"
    )
    return Templates(sam=merged_sam(TEMPLATE), cfn=app_model.cfn, root=TEMPLATE.parent, stacks=tuple(stacks))
