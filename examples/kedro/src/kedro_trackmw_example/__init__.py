"""A small Kedro project tracked by trackmw-kedro."""
