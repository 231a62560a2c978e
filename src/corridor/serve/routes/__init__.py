"""The workbench's routes, one APIRouter per resource: :mod:`.analysis` (reports, views,
what-ifs, roads) and :mod:`.events` (recorded events)."""
