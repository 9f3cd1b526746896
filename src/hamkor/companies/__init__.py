"""The company registry, the HS classification assistant and matchmaking."""
