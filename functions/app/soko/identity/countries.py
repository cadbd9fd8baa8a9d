"""The countries a deployment serves (template parameter ``SmsCountries``, ISO 3166 alpha-2) and
the calling codes that tell a phone's country. SMS cost money: a phone of a country the deployment
does not serve is refused where a phone is set, and never receives a code."""

from __future__ import annotations

# Calling codes of the countries Soko may serve (East Africa and its neighbours). A country not
# listed here cannot be served: naming it in SmsCountries is a configuration error.
CALLING_CODES: dict[str, str] = {
    "UG": "+256",
    "KE": "+254",
    "TZ": "+255",
    "RW": "+250",
    "BI": "+257",
    "SS": "+211",
    "CD": "+243",
    "ET": "+251",
}


def parse(countries: str) -> frozenset[str]:
    """``"UG, ke"`` -> {"UG", "KE"}; raises ValueError for a country it does not know."""
    codes = frozenset(c.strip().upper() for c in countries.split(",") if c.strip())
    unknown = sorted(codes - CALLING_CODES.keys())
    if unknown or not codes:
        raise ValueError(f"SmsCountries names countries Soko cannot serve: {unknown or 'none'}")
    return codes


def country_of(phone: str) -> str | None:
    """The served-able country of an E.164 ``phone``, or None."""
    return next((c for c, prefix in CALLING_CODES.items() if phone.startswith(prefix)), None)


def served(phone: str, countries: str) -> bool:
    return country_of(phone) in parse(countries)
