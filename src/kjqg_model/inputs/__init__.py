"""Parameters as data: vocabulary, history, plans, scenarios, and the analyst's own inputs."""
