"""grader.authoring"""
