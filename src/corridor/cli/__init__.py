"""corridor.cli"""
