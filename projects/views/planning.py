"""Work packages, milestones and the timeline. (Being written.)"""
