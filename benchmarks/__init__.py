"""Measured figures for video-metrics: load generators and the ceilings they are compared with.

Nothing here is a test: run the modules by hand or from CI and read the tables they print.
"""
