"""MaventaXML 1.0 (root `invoice`, `format="MaventaXML"`): paths, reader, rewriter, writer."""
