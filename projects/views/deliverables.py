"""Deliverables. (Being written.)"""
