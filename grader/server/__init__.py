"""`grader serve`: a course server that holds the key and grades what students hand in.

The web process (Starlette under uvicorn, `app`) authenticates, stores every submission durably
(`store`) and answers; a separate worker process (`worker`) grades the queue with the same
pipeline as `grader grade`. The web process never imports or runs student code.
"""
