"""corridor.io"""
