"""The benchmark suite behind `make bench`: baselines first, then the pages, as medians over rounds."""
