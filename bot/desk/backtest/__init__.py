"""The backtest in the desk: past conversations replayed through today's judgement (bot/escalation/backtest.py)."""
