"""Road networks from their sources: :class:`~corridor.model.network.RoadNetwork` built from OSM
extracts (``osm``), GeoJSON lines (``geojson``) and networkx/OSMnx graphs (``nx``), by the tag
rules in ``ways``, ``tags`` and ``defaults``, with the content-addressed cache of built networks
(``cache``) and the loader that picks a reader and keeps each mover's network once (``load``)."""
