"""Ugandan districts with coordinates, and distances between places.

Coordinates are the district's main town to about 0.01 degree: from the WFP market data where a
market is in the district, otherwise the district headquarters. Good enough for routing produce to
the nearest market (tens of kilometres matter; metres do not).
"""

from __future__ import annotations

import math
import re

from soko.shared.errors import Unprocessable

DISTRICTS: dict[str, tuple[float, float]] = {
    "Abim": (2.71, 33.64),
    "Adjumani": (3.34, 31.78),
    "Agago": (2.98, 33.33),
    "Amudat": (1.95, 34.95),
    "Amuria": (2.03, 33.64),
    "Apac": (1.98, 32.54),
    "Arua": (3.02, 30.91),
    "Budaka": (1.02, 33.94),
    "Bugiri": (0.57, 33.74),
    "Buikwe": (0.34, 33.03),
    "Bukedea": (1.35, 34.04),
    "Bukomansimbi": (-0.16, 31.61),
    "Bulambuli": (1.17, 34.38),
    "Buliisa": (2.12, 31.41),
    "Bundibugyo": (0.71, 30.06),
    "Bushenyi": (-0.54, 30.19),
    "Busia": (0.47, 34.09),
    "Butaleja": (0.93, 33.95),
    "Dokolo": (1.92, 33.17),
    "Gomba": (0.22, 31.92),
    "Gulu": (2.77, 32.31),
    "Hoima": (1.43, 31.35),
    "Ibanda": (-0.13, 30.49),
    "Iganga": (0.61, 33.47),
    "Isingiro": (-0.84, 30.80),
    "Jinja": (0.42, 33.20),
    "Kaabong": (3.54, 34.12),
    "Kabale": (-1.25, 29.99),
    "Kabarole": (0.66, 30.28),
    "Kagadi": (0.94, 30.81),
    "Kalangala": (-0.32, 32.29),
    "Kaliro": (0.89, 33.50),
    "Kalungu": (-0.10, 31.76),
    "Kampala": (0.32, 32.58),
    "Kamuli": (0.95, 33.12),
    "Kamwenge": (0.19, 30.45),
    "Kanungu": (-0.90, 29.78),
    "Kapchorwa": (1.40, 34.45),
    "Kasese": (0.17, 30.07),
    "Katakwi": (1.89, 33.97),
    "Kayunga": (0.70, 32.89),
    "Kibaale": (0.79, 31.07),
    "Kiboga": (0.92, 31.77),
    "Kiruhura": (-0.21, 30.84),
    "Kiryandongo": (1.88, 32.06),
    "Kisoro": (-1.28, 29.69),
    "Kitgum": (3.28, 32.89),
    "Koboko": (3.41, 30.96),
    "Kotido": (3.00, 34.11),
    "Kumi": (1.49, 33.94),
    "Kween": (1.38, 34.52),
    "Kyankwanzi": (1.20, 31.80),
    "Kyegegwa": (0.50, 31.05),
    "Kyenjojo": (0.63, 30.62),
    "Lamwo": (3.53, 32.80),
    "Lira": (2.23, 32.91),
    "Luwero": (0.85, 32.47),
    "Lwengo": (-0.42, 31.41),
    "Lyantonde": (-0.40, 31.16),
    "Manafwa": (0.91, 34.29),
    "Masaka": (-0.35, 31.74),
    "Masindi": (1.69, 31.71),
    "Mayuge": (0.46, 33.48),
    "Mbale": (1.07, 34.18),
    "Mbarara": (-0.61, 30.65),
    "Mitooma": (-0.61, 30.02),
    "Mityana": (0.42, 32.04),
    "Moroto": (2.53, 34.65),
    "Moyo": (3.66, 31.72),
    "Mpigi": (0.23, 32.33),
    "Mubende": (0.56, 31.39),
    "Mukono": (0.36, 32.75),
    "Nakapiripirit": (1.85, 34.72),
    "Nakaseke": (0.73, 32.42),
    "Nakasongola": (1.31, 32.46),
    "Namayingo": (0.24, 33.88),
    "Napak": (2.22, 34.26),
    "Nebbi": (2.48, 31.09),
    "Ngora": (1.46, 33.78),
    "Ntungamo": (-0.88, 30.27),
    "Nwoya": (2.63, 32.00),
    "Omoro": (2.72, 32.49),
    "Otuke": (2.50, 33.49),
    "Oyam": (2.24, 32.39),
    "Pader": (2.88, 33.09),
    "Pallisa": (1.15, 33.71),
    "Rakai": (-0.72, 31.48),
    "Rubirizi": (-0.27, 30.11),
    "Rukungiri": (-0.79, 29.93),
    "Sembabule": (-0.08, 31.45),
    "Serere": (1.50, 33.55),
    "Sheema": (-0.58, 30.38),
    "Sironko": (1.23, 34.25),
    "Soroti": (1.71, 33.62),
    "Tororo": (0.69, 34.18),
    "Wakiso": (0.40, 32.48),
    "Yumbe": (3.46, 31.25),
    "Zombo": (2.51, 30.91),
}
_ALIASES = {"fort portal": "Kabarole", "entebbe": "Wakiso", "kasangati": "Wakiso", "nansana": "Wakiso"}
EARTH_RADIUS_KM = 6371.0


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())


_BY_KEY = {_key(name): name for name in DISTRICTS}


def district(text: str, *, field_name: str = "district") -> str:
    """The canonical district name for ``text`` (case-insensitive; a few town aliases)."""
    key = _key(text)
    name = _BY_KEY.get(key) or _ALIASES.get(key)
    if name is None:
        raise Unprocessable(
            f"'{text}' is not a Ugandan district we know.",
            code="UNKNOWN_DISTRICT",
            details={"field": field_name},
        )
    return name


def coordinates(name: str) -> tuple[float, float]:
    return DISTRICTS[district(name)]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
