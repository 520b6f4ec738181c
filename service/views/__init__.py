"""Responses: error bodies, negotiated RDF, HTML pages."""
