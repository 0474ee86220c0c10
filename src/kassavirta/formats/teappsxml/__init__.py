"""TEAPPSXML 2.7.x and 3.0 (INVOICE_CENTER): paths, reader and rewriter."""
