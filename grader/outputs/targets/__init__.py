"""`grader export ASSIGNMENT --to TARGET`: an assignment in the form another platform imports.

One module per target; each builds its files from a pool of variants (grader.outputs.targets.
pool), seeded from the secret, the assignment and the variant index, so no roster is needed.
"""
