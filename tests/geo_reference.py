"""An independent reference for the geography tests: the reserves of tests/data/search_geo.jsonl
with coordinates, and great-circle distances computed here in double precision."""

import json
import math
from pathlib import Path

GEO = Path(__file__).parent / "data" / "search_geo.jsonl"
EARTH_RADIUS_KM = 6371.0088  # the radius the schema documents (the mean Earth radius)


def coordinates() -> dict[str, tuple[float, float]]:
    """Reserve key -> (latitude, longitude), for the reserves that have coordinates."""
    rows = [json.loads(line) for line in GEO.read_text(encoding="utf-8").splitlines() if line]
    return {
        row["id"]: (row["properties"]["latitude"], row["properties"]["longitude"])
        for row in rows
        if "latitude" in row["properties"]
    }


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
