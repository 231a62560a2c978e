"""``corridor serve``: the workbench, a web server (FastAPI on uvicorn) over corridor's analysis.

:func:`corridor.serve.app.create_app` builds the app; docs/serve.md describes the API.
"""
