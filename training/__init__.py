"""Offline tools of Radar Sleep: training, evaluation and polysomnography readers."""
