"""Small response models more than one domain uses."""

from pydantic import BaseModel


class Accepted(BaseModel):
    status: str = "accepted"
    message: str
