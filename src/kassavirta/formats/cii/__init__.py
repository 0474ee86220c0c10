"""UN/CEFACT Cross Industry Invoice D16B (EN 16931): paths, reader and rewriter."""
