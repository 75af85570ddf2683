"""``llmprof plan``: what a whole workload costs and how long it takes, on each model, with the
levers that change the answer (caching, batch, rate limits, output caps, history windows).

Pure core: :mod:`workload` (the data), :mod:`schedule` (a task -> its calls), :mod:`cache`
(prompt-cache reads and writes), :mod:`latency`, :mod:`timing` (durations and which limit binds),
:mod:`figures` (one variant priced through ``price_request``), :mod:`levers` (what-ifs, ranked),
:mod:`select` and :mod:`budgets`. I/O: :mod:`parse` (workload YAML), :mod:`sizes` (counting
files), :mod:`profiles` (bench results, API responses), :mod:`run` (all of it, :func:`plan`).
"""
