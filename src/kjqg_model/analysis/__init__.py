"""From paths to answers: outcomes, probabilities, what-if, readiness, backtest and scores."""
