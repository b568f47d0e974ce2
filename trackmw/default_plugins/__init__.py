"""The core's own hook implementations, registered before (so called after) any plugin."""
