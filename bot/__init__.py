"""Balie: a Dutch webshop assistant (Rasa) with a desk for human agents."""
