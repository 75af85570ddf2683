"""llmprof: what will this prompt cost, how slow will this call be, and did my change make either worse?"""

__version__ = "0.1.0"
