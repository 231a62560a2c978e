"""Benchmarks of corridor against its peers (pyrosm, OSMnx/networkx, igraph); see README.md."""
