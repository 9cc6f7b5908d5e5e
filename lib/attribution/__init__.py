"""Attribution under correlated inputs: equal prediction, unstable credit."""
