"""The traffic simulator: a catalog, a realistic labelled stream of scans, its ground truth.

A user of the publishing library like any resolver; `scan-analytics simulate` runs it.
"""
