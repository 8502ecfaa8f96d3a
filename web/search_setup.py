"""Attach search to an app built for a server worker: open the index at start-up, stop its worker at shutdown."""
from web.pages.search import engine_of, stop_search


def attach_search(create_app, settings):
    """The app from `create_app(settings)` with the search engine opened eagerly in this worker process."""
    app = create_app(settings)
    app.on_startup.append(engine_of)
    app.on_shutdown.append(stop_search)
    return app
