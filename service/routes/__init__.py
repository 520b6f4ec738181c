"""HTTP routes, one module per door of the service."""
