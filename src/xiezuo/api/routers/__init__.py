"""The server's routers, one module per resource; :func:`xiezuo.api.app.create_app` mounts them."""
