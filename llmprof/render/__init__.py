"""Output formats. Every result becomes one :class:`~llmprof.render.view.View` (a titled table
plus notes, for people) and one JSON-ready document (for machines); each format is a tiny module
that renders one of the two."""
