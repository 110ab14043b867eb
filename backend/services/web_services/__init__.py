"""Scoring web services: a saved model answering requests over HTTP with a service key.

Pure parts (no database): reading requests (:mod:`.formats`, :mod:`.frames`), scoring them exactly as
Assign Data to Clusters does (:mod:`.scoring`), writing answers (:mod:`.render`), keys (:mod:`.keys`)
and usage figures (:mod:`.usage`).
"""
