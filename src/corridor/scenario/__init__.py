"""Scenario files: YAML to :class:`~corridor.model.scenario.Scenario` (``load``: read, check
against the schema in ``schema``, build in ``build`` with the areas of ``areas``; every problem
collected with its file and line, ``problems`` and ``yaml_lines``)."""
