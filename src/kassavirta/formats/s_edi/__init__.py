"""S-EDI 3.0 (root `S-EDI`, `RoutingInfo/Version` `S-EDI_3_0`): paths, reader, rewriter, writer."""
