// The map: reserves as points over country outlines served by the hub (world-atlas), and
// online tiles only when the hub is configured with HUB_MAP_TILE_URL.

import * as L from "leaflet";
import { settings } from "./api.js";

const ATLAS = "/explore/vendor/world-atlas@2.0.2/countries-110m.json";

export class MapView {
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    this.map = null;
    this.points = null;
  }

  async init() {
    if (this.map) return;
    this.map = L.map(this.container, { worldCopyJump: true, preferCanvas: false }).setView([30, 10], 2);
    if (settings.mapTileUrl) {
      L.tileLayer(settings.mapTileUrl, { maxZoom: 18 }).addTo(this.map);
    } else {
      const response = await fetch(ATLAS);
      if (!response.ok) throw new Error(`country outlines unavailable (${response.status})`);
      const topology = await response.json();
      const countries = globalThis.topojson.feature(topology, topology.objects.countries);
      for (const feature of countries.features) unwrap(feature.geometry);
      L.geoJSON(countries, {
        style: { color: "#8a9a92", weight: 0.8, fillColor: "#f3f1e7", fillOpacity: 1 },
        interactive: false,
      }).addTo(this.map);
    }
    this.points = L.layerGroup().addTo(this.map);
  }

  show(reserves, highlighted = new Set()) {
    this.points.clearLayers();
    let placed = 0;
    for (const r of reserves) {
      if (r.latitude == null || r.longitude == null) continue;
      placed += 1;
      const on = highlighted.size === 0 || highlighted.has(r.id);
      const marker = L.circleMarker([r.latitude, r.longitude], {
        radius: on ? 6 : 4,
        color: "#0f3d12",
        weight: 1,
        fillColor: on ? "#2e7d32" : "#9db59e",
        fillOpacity: on ? 0.9 : 0.5,
      });
      marker.bindTooltip(`${r.name} (${r.country})`);
      marker.on("click", () => this.onSelect(r.id, {}));
      marker.addTo(this.points);
    }
    return placed;
  }

  resize() {
    if (this.map) this.map.invalidateSize();
  }
}

// Rings that cross the antimeridian (Russia, Fiji) jump from +180 to -180: continue them past
// 180 instead, so Leaflet does not draw a band across the whole map.
function unwrap(geometry) {
  if (!geometry) return;
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i += 1) {
        while (ring[i][0] - ring[i - 1][0] > 180) ring[i][0] -= 360;
        while (ring[i][0] - ring[i - 1][0] < -180) ring[i][0] += 360;
      }
    }
  }
}
