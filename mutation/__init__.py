"""Mutation testing of the service's core modules (mutmut, on a scratch copy of the checkout)."""
