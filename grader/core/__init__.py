"""grader.core"""
