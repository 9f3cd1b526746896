"""The demo: real national series plus a synthetic regional extract, loaded through the importers."""
