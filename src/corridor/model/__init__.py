"""corridor.model"""
