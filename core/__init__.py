"""The ground floor every app stands on: domain errors and transitions, bounded text, page, API and
admin base classes, uploads. It imports no app of the project (``lint-imports`` checks)."""
