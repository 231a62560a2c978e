"""corridor.analysis"""
