"""The models: random streams, the local linear trend, pooled fits, and joint simulation."""
