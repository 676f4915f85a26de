"""grader.app"""
