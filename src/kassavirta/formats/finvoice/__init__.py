"""Finvoice 1.3, 2.0, 2.01 and 3.0: paths, reader, rewriter and the example writer."""
