"""corridor.outputs"""
