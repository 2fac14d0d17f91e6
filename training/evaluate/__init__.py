"""Evaluations of the sleep pipeline, the smart alarm and the simulator, and the report."""
