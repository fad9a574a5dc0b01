"""Sources (adapter): where articles come from: the seeds folder (and, beside it, live feeds)."""
