"""The 一企一策 plan: diagnosis, problems and measures, versions submitted and decided, close-out."""
