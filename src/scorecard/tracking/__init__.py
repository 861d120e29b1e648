"""MLflow side of a card: where runs live (store), what a run logs (runs, pyfunc), the registry and its gates."""
