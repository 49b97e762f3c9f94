"""Custom actions for the Balie assistant; one module per topic."""
