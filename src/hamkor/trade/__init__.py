"""Trade statistics: importers into the warehouse, and what is computed from it."""
