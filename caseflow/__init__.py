"""caseflow: case management for an integrity early-warning mechanism (廉情预警机制)."""
from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask

from caseflow.config import Config, pick_config


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the Flask app; ``config`` is a config class or a dict of overrides for tests."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(pick_config())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    _sqlite_parent(app.config["SQLALCHEMY_DATABASE_URI"])
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    # The app's long-lived objects (catalogues, compiled templates, mappers, the calendar) never become
    # garbage: keep them out of the collector's full passes, which otherwise stall one request in a few
    # dozen for tens of milliseconds (the p95 of a page).
    gc.collect()
    gc.freeze()
    app.wsgi_app = FreezeWarmCaches(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


class FreezeWarmCaches:
    """WSGI wrapper: after a request that grew the app's caches of compiled SQL statements or compiled
    templates, collect the garbage and freeze what is left out of the collector's full passes.

    Those caches fill during the first requests of each page, after the start-up freeze; a cached statement
    holds several hundred tracked objects, and a few dozen of them made every full pass (one request in a
    few dozen) scan tens of thousands of objects — a 30-60 ms stall, the p95 of a page. The freeze runs at
    most once per new cache entry, between requests (no request object is alive), and costs about what a
    full pass then costs: only the objects created since the previous freeze are scanned.
    """

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.largest = 0

    def cache_size(self) -> int:
        """Entries in the compiled-statement caches of the app's engines and in the template cache (the
        libraries' internal attributes, read defensively: if they change, only the template cache counts)."""
        from caseflow.extensions import db

        size = len(self.app.jinja_env.cache or ())
        try:
            engines = db._app_engines.get(self.app, {}).values()
            size += sum(len(getattr(e, "_compiled_cache", None) or ()) for e in engines)
        except (AttributeError, TypeError):
            pass
        return size

    def __call__(self, environ, start_response):
        response = self.wsgi_app(environ, start_response)
        size = self.cache_size()
        if size > self.largest:  # grows only while the caches warm up: bounded by their capacity
            self.largest = size
            gc.collect()
            gc.freeze()
        return response


def _sqlite_parent(uri: str) -> None:
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////:memory"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension objects of ``caseflow.extensions``."""
    from caseflow import i18n, security
    from caseflow.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    from caseflow.db_events import install as install_db_events

    install_db_events(app)


def register_blueprints(app: Flask) -> None:
    """Register the web blueprints and the JSON API."""
    from caseflow.views import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    """Map domain and HTTP errors to HTML pages or JSON error objects."""
    from caseflow.views.errors import register as register_errors

    register_errors(app)


def register_commands(app: Flask) -> None:
    """Attach the ``caseflow`` CLI command groups."""
    from caseflow.cli import register as register_cli

    register_cli(app)
