"""The review web app: accounts, projects, versions, reviews, shares and pipeline jobs.

Layers, top down: ``app``/``routes`` (HTTP) call :mod:`previz.web.services`, which
use the ORM in :mod:`previz.web.models` through sessions from :mod:`previz.web.db`; the
job runner (:mod:`previz.web.jobs`) runs the real pipeline in a background thread.
Nothing here is imported by the pipeline or the CLI's other commands.
"""
