"""The practice queue: every answered question becomes a card that comes back on an FSRS schedule."""
