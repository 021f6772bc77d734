"""Database backends of the project (settings name them in ``ENGINE``)."""
