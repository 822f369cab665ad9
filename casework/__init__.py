"""Cases: the workflow from a filed need to a closed case, and its timeline."""
