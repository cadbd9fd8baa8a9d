"""Listing images in S3: the shared media store (soko.shared.media), kept importable from here."""

from soko.shared.media import MediaStore, S3Media

__all__ = ["MediaStore", "S3Media"]
