"""Demo datasets: the district of SPEC §8 (and, later, the province benchmark set)."""
