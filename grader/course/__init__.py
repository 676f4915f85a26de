"""grader.course"""
