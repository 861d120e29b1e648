"""HTTP serving of a bundle (Starlette + uvicorn): ``POST /score``, ``GET /health``, ``GET /ready``.

Uses the bundle runtime and nothing of training; see ``docs/serving.md``.
"""
