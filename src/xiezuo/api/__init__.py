"""The shared planning server's REST API (FastAPI): see :func:`xiezuo.api.app.create_app`."""
