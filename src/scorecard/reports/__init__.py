"""Documents a validator reads: the model documentation pack (``pack``) on a shared page frame (``frame``).

The monitoring report (``scorecard.monitoring.report``) uses the same frame.
"""
