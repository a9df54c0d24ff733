"""The risk register. (Being written.)"""
