"""The application: settings, the Starlette app, the command line, the embedded database."""
