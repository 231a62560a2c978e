"""corridor: find, measure and track the ways out of a besieged place on real road networks.

Importing the package defines names only; heavy modules load where they are used.
"""

__version__ = "0.1.0"
