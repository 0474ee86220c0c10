"""Liinos XML (`Liinos_XML`): paths, reader and rewriter."""
