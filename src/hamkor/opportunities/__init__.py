"""The promising areas of cooperation: economic complexity, export potential, explanations."""
