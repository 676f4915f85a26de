"""grader.student"""
