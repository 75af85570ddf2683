"""``llmprof bench``: latency percentiles by input and output length, against a real endpoint or
the built-in mock. plan -> runner (providers speak the wire formats) -> records -> summaries."""
