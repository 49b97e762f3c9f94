"""Custom actions for the Balie assistant; one module per topic."""

from bot import log_masking

log_masking.install()  # the action server's log lines carry no personal data
